// e2e.js: one Node.js process, file -> detections, for the whole-process
// comparison of scripts/bench.sh (beside bench/cmd/floor and
// examples/detect-image -json). It creates an onnxruntime-node session
// (1 intra-op thread unless -threads), then for each image in turn decodes
// it, fills the input tensor, runs the model and decodes the outputs, as
// bench.js does, and prints one JSON line per image.
//
// Usage: node e2e.js [-decoder sharp|js] [-model yolox|picodet] [-threads T] FILE|DIR ...
//   -decoder sharp  sharp (libvips, SIMD) decodes and resizes with its linear
//                   kernel (JPEGs much larger than the input shrink on load,
//                   libvips' default); JavaScript writes the planar tensor
//   -decoder js     jpeg-js / pngjs decode, JavaScript resizes (bench.js's
//                   reference pipeline; the default)
'use strict';

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');
const { root, yolox, picodet, decode, } = require('./bench.js');

function args() {
  const a = { decoder: 'js', model: 'yolox', threads: 1, files: [] };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    switch (argv[i]) {
      case '-decoder': a.decoder = argv[++i]; break;
      case '-model': a.model = argv[++i]; break;
      case '-threads': a.threads = parseInt(argv[++i], 10); break;
      default:
        if (argv[i].startsWith('-')) throw new Error(`unknown argument ${argv[i]}`);
        a.files.push(argv[i]);
    }
  }
  if (!['sharp', 'js'].includes(a.decoder)) throw new Error(`-decoder ${a.decoder}: want sharp or js`);
  if (!['yolox', 'picodet'].includes(a.model)) throw new Error(`-model ${a.model}: want yolox or picodet`);
  return a;
}

// expand replaces directories by their JPEG and PNG files, sorted by name.
function expand(files) {
  const out = [];
  for (const f of files) {
    if (!fs.statSync(f).isDirectory()) { out.push(f); continue; }
    for (const e of fs.readdirSync(f).sort()) {
      if (/\.(jpe?g|png)$/i.test(e)) out.push(path.join(f, e));
    }
  }
  return out;
}

// sharpInput decodes and resizes file with sharp into the tensor t as m's
// preprocess does, and returns the image size and geometry.
async function sharpInput(sharp, m, file, t) {
  const buf = fs.readFileSync(file);
  const meta = await sharp(buf).metadata();
  const W = meta.width, H = meta.height, size = m.size, plane = size * size;
  let w = size, h = size, order = [0, 1, 2], scale = 1 / 255, mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
  let g = { sx: size / W, sy: size / H };
  if (m === yolox) {
    const r = Math.min(size / W, size / H);
    w = Math.max(1, Math.floor(W * r)); h = Math.max(1, Math.floor(H * r));
    order = [2, 1, 0]; scale = 1; mean = [0, 0, 0]; std = [1, 1, 1];
    g = { sx: r, sy: r };
    t.fill(114);
  }
  const { data } = await sharp(buf).resize(w, h, { fit: 'fill', kernel: 'linear' }).removeAlpha().toColourspace('srgb')
    .raw().toBuffer({ resolveWithObject: true });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) t[c * plane + y * size + x] = (data[s + order[c]] * scale - mean[c]) / std[c];
    }
  }
  return { img: { width: W, height: H }, g };
}

async function main() {
  const a = args();
  const m = a.model === 'yolox' ? yolox : picodet;
  const sharp = a.decoder === 'sharp' ? require('sharp') : null;
  if (sharp) sharp.concurrency(a.threads);
  const sess = await ort.InferenceSession.create(path.join(root, 'catalog', 'models', m.file), {
    intraOpNumThreads: a.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential',
    logSeverityLevel: 3,
  });
  const t = new Float32Array(3 * m.size * m.size);
  for (const file of expand(a.files)) {
    let img, g;
    if (sharp) {
      ({ img, g } = await sharpInput(sharp, m, file, t));
    } else {
      img = decode(fs.readFileSync(file));
      g = m.preprocess(img, t);
    }
    const out = await sess.run({ [sess.inputNames[0]]: new ort.Tensor('float32', t, [1, 3, m.size, m.size]) });
    const dets = m.postprocess(out, img, g);
    console.log(JSON.stringify({ image: file, width: img.width, height: img.height,
      objects: dets.map(d => ({ class: d.cls, confidence: +d.score.toFixed(4), box: d.box.map(v => +v.toFixed(1)) })) }));
  }
  await sess.release();
}

main().catch(e => { console.error(e); process.exit(1); });

// bench.js: the Node.js side of issue 7 §5. It runs the two bundled detectors
// through onnxruntime-node over the eight test photos with straightforward
// JavaScript pre- and post-processing (jpeg-js / pngjs decoding, bilinear
// letterbox or stretch, the decoding the model READMEs describe, greedy NMS)
// and times file -> detections, summed over the photos, like the Go benchmark
// BenchmarkEndToEnd in ../e2e_test.go.
//
// Usage: node bench.js [-runs N] [-threads T] [-json]
//   -runs N     timed passes over the eight photos after one warm-up (default 10)
//   -threads T  intra-op threads (default 1)
//   -json       one JSON object per model on stdout instead of a table
'use strict';

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');
const jpeg = require('jpeg-js');
const { PNG } = require('pngjs');

const root = path.join(__dirname, '..', '..');
const imagesDir = path.join(root, 'testdata', 'images');
const photos = ['astronaut.png', 'camera.png', 'chelsea.png', 'coffee.png',
  'dog.jpg', 'person.jpg', 'african_elephants.jpg', 'vehicle.jpg'];

function args() {
  const a = { runs: 10, threads: 1, json: false };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    switch (argv[i]) {
      case '-runs': a.runs = parseInt(argv[++i], 10); break;
      case '-threads': a.threads = parseInt(argv[++i], 10); break;
      case '-json': a.json = true; break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return a;
}

// decode returns {width, height, data} with RGBA bytes, alpha to be ignored.
function decode(buf) {
  if (buf[0] === 0x89 && buf[1] === 0x50) {
    const png = PNG.sync.read(buf);
    return { width: png.width, height: png.height, data: png.data };
  }
  return jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
}

// axis returns, per destination index, the two source indices and the weight
// of the second: bilinear with half-pixel centres, clamped (cv2.resize).
function axis(n, m) {
  const i0 = new Int32Array(m), i1 = new Int32Array(m), f = new Float32Array(m);
  for (let d = 0; d < m; d++) {
    let s = (d + 0.5) * n / m - 0.5;
    if (s < 0) s = 0;
    let k = Math.floor(s);
    if (k >= n - 1) { k = n - 1; s = k; }
    i0[d] = k; i1[d] = Math.min(k + 1, n - 1); f[d] = s - k;
  }
  return { i0, i1, f };
}

// resizeInto writes img resized to w x h at (0,0) of a size x size planar
// tensor, channels in order (indices into RGBA), value = (v*scale-mean)/std.
function resizeInto(t, size, img, w, h, order, scale, mean, std) {
  const xs = axis(img.width, w), ys = axis(img.height, h);
  const plane = size * size, src = img.data, stride = img.width * 4;
  for (let y = 0; y < h; y++) {
    const r0 = ys.i0[y] * stride, r1 = ys.i1[y] * stride, fy = ys.f[y];
    for (let x = 0; x < w; x++) {
      const a = xs.i0[x] * 4, b = xs.i1[x] * 4, fx = xs.f[x];
      for (let c = 0; c < 3; c++) {
        const o = order[c];
        const top = src[r0 + a + o] * (1 - fx) + src[r0 + b + o] * fx;
        const bot = src[r1 + a + o] * (1 - fx) + src[r1 + b + o] * fx;
        const v = Math.round(top * (1 - fy) + bot * fy);
        t[c * plane + y * size + x] = (v * scale - mean[c]) / std[c];
      }
    }
  }
}

function iou(a, b) {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const i = w * h;
  return i / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - i);
}

// nms is greedy hard NMS, highest score first.
function nms(dets, thr, agnostic, max) {
  dets.sort((p, q) => q.score - p.score);
  const keep = [];
  for (const d of dets) {
    if (keep.some(k => (agnostic || k.cls === d.cls) && iou(k.box, d.box) > thr)) continue;
    keep.push(d);
    if (keep.length === max) break;
  }
  return keep;
}

const clip = (v, hi) => Math.min(Math.max(v, 0), hi);

const yolox = {
  name: 'yolox-nano-coco', file: 'yolox-nano-coco/yolox_nano.onnx', size: 416,
  preprocess(img, t) {
    const r = Math.min(416 / img.width, 416 / img.height);
    const w = Math.max(1, Math.floor(img.width * r)), h = Math.max(1, Math.floor(img.height * r));
    t.fill(114);
    resizeInto(t, 416, img, w, h, [2, 1, 0], 1, [0, 0, 0], [1, 1, 1]);
    return { sx: r, sy: r };
  },
  postprocess(out, img, g) {
    const data = out[Object.keys(out)[0]].data, dets = [];
    let i = 0;
    for (const s of [8, 16, 32]) {
      const gw = 416 / s, n = gw * gw;
      for (let k = 0; k < n; k++, i++) {
        const r = i * 85, obj = data[r + 4];
        if (obj < 0.3) continue;
        let c = 0, p = data[r + 5];
        for (let j = 1; j < 80; j++) if (data[r + 5 + j] > p) { p = data[r + 5 + j]; c = j; }
        const score = obj * p;
        if (score < 0.3) continue;
        const cx = (data[r] + k % gw) * s, cy = (data[r + 1] + Math.floor(k / gw)) * s;
        const bw = Math.exp(data[r + 2]) * s, bh = Math.exp(data[r + 3]) * s;
        dets.push({ cls: c, score, box: [clip((cx - bw / 2) / g.sx, img.width), clip((cy - bh / 2) / g.sy, img.height),
          clip((cx + bw / 2) / g.sx, img.width), clip((cy + bh / 2) / g.sy, img.height)] });
      }
    }
    return nms(dets, 0.45, true, 100);
  },
};

const picodet = {
  name: 'picodet-s-320-coco', file: 'picodet-s-320-coco/picodet_s_320_coco.onnx', size: 320,
  preprocess(img, t) {
    resizeInto(t, 320, img, 320, 320, [0, 1, 2], 1 / 255, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
    return { sx: 320 / img.width, sy: 320 / img.height };
  },
  postprocess(out, img, g) {
    const ts = Object.values(out);
    const scores = ts.filter(t => t.dims[2] === 80).sort((a, b) => b.dims[1] - a.dims[1]);
    const boxes = ts.filter(t => t.dims[2] === 32).sort((a, b) => b.dims[1] - a.dims[1]);
    const dets = [];
    [8, 16, 32, 64].forEach((s, l) => {
      const sc = scores[l].data, bx = boxes[l].data, gw = Math.ceil(320 / s), n = scores[l].dims[1];
      for (let k = 0; k < n; k++) {
        let box = null;
        for (let c = 0; c < 80; c++) {
          const score = sc[k * 80 + c];
          if (score < 0.3) continue;
          if (!box) box = distBox(bx, k * 32, ((k % gw) + 0.5) * s, (Math.floor(k / gw) + 0.5) * s, s, img, g);
          dets.push({ cls: c, score, box });
        }
      }
    });
    return nms(dets, 0.5, false, 100);
  },
};

// distBox decodes the four 8-bin side distributions of one anchor.
function distBox(bx, off, cx, cy, s, img, g) {
  const d = [0, 0, 0, 0];
  for (let k = 0; k < 4; k++) {
    let m = -Infinity;
    for (let j = 0; j < 8; j++) m = Math.max(m, bx[off + k * 8 + j]);
    let sum = 0, wsum = 0;
    for (let j = 0; j < 8; j++) { const e = Math.exp(bx[off + k * 8 + j] - m); sum += e; wsum += j * e; }
    d[k] = s * wsum / sum;
  }
  return [clip((cx - d[0]) / g.sx, img.width), clip((cy - d[1]) / g.sy, img.height),
    clip((cx + d[2]) / g.sx, img.width), clip((cy + d[3]) / g.sy, img.height)];
}

// detectFile is one photo, file -> detections, with its stages timed.
async function detectFile(m, sess, t, file, st) {
  const t0 = process.hrtime.bigint();
  const img = decode(fs.readFileSync(file));
  const t1 = process.hrtime.bigint();
  const g = m.preprocess(img, t);
  const t2 = process.hrtime.bigint();
  const out = await sess.run({ [sess.inputNames[0]]: new ort.Tensor('float32', t, [1, 3, m.size, m.size]) });
  const t3 = process.hrtime.bigint();
  const dets = m.postprocess(out, img, g);
  const t4 = process.hrtime.bigint();
  st.decode += Number(t1 - t0); st.pre += Number(t2 - t1); st.run += Number(t3 - t2); st.post += Number(t4 - t3);
  return dets;
}

const median = v => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function benchModel(m, a) {
  const sess = await ort.InferenceSession.create(path.join(root, 'catalog', 'models', m.file), {
    intraOpNumThreads: a.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential',
    logSeverityLevel: 3, // PicoDet's initializers-as-inputs warnings
  });
  const t = new Float32Array(3 * m.size * m.size);
  const files = photos.map(p => path.join(imagesDir, p));
  const totals = [], stages = [];
  let count = 0;
  for (let r = 0; r <= a.runs; r++) { // run 0 warms up
    const st = { decode: 0, pre: 0, run: 0, post: 0 };
    const t0 = process.hrtime.bigint();
    count = 0;
    for (const f of files) count += (await detectFile(m, sess, t, f, st)).length;
    const total = Number(process.hrtime.bigint() - t0);
    if (r > 0) { totals.push(total); stages.push(st); }
  }
  await sess.release();
  const ms = v => +(v / 1e6).toFixed(2);
  return {
    model: m.name, runtime: 'onnxruntime-node ' + require('onnxruntime-node/package.json').version,
    threads: a.threads, runs: a.runs, photos: photos.length, detections: count,
    median_ms: ms(median(totals)), min_ms: ms(Math.min(...totals)),
    decode_ms: ms(median(stages.map(s => s.decode))), pre_ms: ms(median(stages.map(s => s.pre))),
    run_ms: ms(median(stages.map(s => s.run))), post_ms: ms(median(stages.map(s => s.post))),
  };
}

async function main() {
  const a = args();
  for (const m of [yolox, picodet]) {
    const r = await benchModel(m, a);
    if (a.json) {
      console.log(JSON.stringify(r));
    } else {
      console.log(`${r.model}: ${r.median_ms} ms per ${r.photos} photos (median of ${r.runs}; decode ${r.decode_ms}, ` +
        `pre ${r.pre_ms}, run ${r.run_ms}, post ${r.post_ms}), ${r.detections} detections`);
    }
  }
}

module.exports = { root, yolox, picodet, decode, nms };

if (require.main === module) {
  main().catch(e => { console.error(e); process.exit(1); });
}

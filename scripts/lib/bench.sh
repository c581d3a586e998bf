# bench.sh: what scripts/bench-floor.sh and scripts/bench-cuda.sh share
# (sourced from the repository root, with OUT and MODEL set).

# The model: its catalog name and ONNX file.
case "$MODEL" in
yolox) name=yolox-nano-coco onnx=catalog/models/yolox-nano-coco/yolox_nano.onnx ;;
picodet) name=picodet-s-320-coco onnx=catalog/models/picodet-s-320-coco/picodet_s_320_coco.onnx ;;
*) echo "MODEL=$MODEL: want yolox or picodet" >&2; exit 2 ;;
esac
photos=testdata/images

load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime; }

# build_bench builds floor, detect-image and alternate into $bin.
build_bench() {
	bin="$OUT/bin"
	mkdir -p "$bin"
	go build -o "$bin/floor" ./bench/cmd/floor
	go build -o "$bin/detect-image" ./examples/detect-image
	go build -o "$bin/alternate" ./bench/cmd/alternate
}

# batch_dir fills the directory $1 (emptied first) with $2 photos: the
# test photos repeated.
batch_dir() {
	local dir=$1 n=$2 i=0 f
	rm -rf "$dir"
	mkdir -p "$dir"
	while [ "$i" -lt "$n" ]; do
		for f in "$photos"/*.jpg "$photos"/*.png; do
			[ "$i" -lt "$n" ] && cp "$f" "$dir/$(printf %04d "$i")-$(basename "$f")"
			i=$((i + 1))
		done
	done
}

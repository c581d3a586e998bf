#!/usr/bin/env bash
# install-ort.sh installs the ONNX Runtime 1.30.0 CPU shared library that
# package github.com/modelreg/modelreg/loader finds at run time.
#
# Usage:
#   scripts/install-ort.sh                 # from npm's onnxruntime-node@1.30.0 (pinned sha256)
#   scripts/install-ort.sh --url URL [--sha256 HEX]
#                                          # from an official release tarball, e.g.
#                                          # https://github.com/microsoft/onnxruntime/releases/download/v1.30.0/onnxruntime-linux-x64-1.30.0.tgz
#
# Environment:
#   MODELREG_ORT_DIR     install directory (default: the directory loader.InstallDir returns,
#                        <user cache dir>/modelreg/onnxruntime/1.30.0/<goos>-<goarch>)
#   MODELREG_ORT_URL     same as --url
#   MODELREG_ORT_SHA256  same as --sha256
#
# The script is idempotent: when the library is already installed with the
# expected hash it does nothing but print the installed path. On success the
# last line of stdout is the absolute path of the installed library.
set -euo pipefail

readonly VERSION=1.30.0
readonly NPM_PACKAGE="onnxruntime-node@${VERSION}"

url="${MODELREG_ORT_URL:-}"
want_sha="${MODELREG_ORT_SHA256:-}"

die() { echo "install-ort: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	--url) url="${2:?--url needs a value}"; shift 2 ;;
	--url=*) url="${1#--url=}"; shift ;;
	--sha256) want_sha="${2:?--sha256 needs a value}"; shift 2 ;;
	--sha256=*) want_sha="${1#--sha256=}"; shift ;;
	-h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1 (try --help)" ;;
	esac
done

# Platform, spelled as Go's GOOS/GOARCH and as npm's os/arch directories.
case "$(uname -s)" in
Linux) goos=linux npm_os=linux ;;
Darwin) goos=darwin npm_os=darwin ;;
MINGW* | MSYS* | CYGWIN*) goos=windows npm_os=win32 ;;
*) die "unsupported OS $(uname -s)" ;;
esac
case "$(uname -m)" in
x86_64 | amd64) goarch=amd64 npm_arch=x64 ;;
aarch64 | arm64) goarch=arm64 npm_arch=arm64 ;;
*) die "unsupported CPU $(uname -m)" ;;
esac

# Library file name inside the npm package, installed file name, pinned sha256.
case "${goos}-${goarch}" in
linux-amd64) npm_lib=libonnxruntime.so.1 lib=libonnxruntime.so.1 pinned=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23 ;;
linux-arm64) npm_lib=libonnxruntime.so.1 lib=libonnxruntime.so.1 pinned=1f549d46250b005580b597f4164984aaf75b3bcb9f3aeb07c7f8a8fe60b23c76 ;;
darwin-arm64) npm_lib=libonnxruntime.${VERSION}.dylib lib=libonnxruntime.dylib pinned=685d2be5dba1309c89d3a5324b7fd06a5c42f1a61bfea32d14c4cc28d072121d ;;
windows-amd64) npm_lib=onnxruntime.dll lib=onnxruntime.dll pinned=508c362f5673483dd3a086379c392795b2e42d10d5e6f3f90ebd7ac21c97af67 ;;
windows-arm64) npm_lib=onnxruntime.dll lib=onnxruntime.dll pinned=6c3a2abf5c6aca11c48a0d338a91af309f2266f25ce2e4084e6a87bbcb0fbfd0 ;;
*) [ -n "$url" ] || die "no npm build for ${goos}-${goarch}; use --url with an official release tarball" ;;
esac
if [ -n "$url" ]; then
	pinned="$want_sha"
	case "$goos" in
	linux) lib=libonnxruntime.so.1 ;;
	darwin) lib=libonnxruntime.dylib ;;
	windows) lib=onnxruntime.dll ;;
	esac
fi

# The install directory matches loader.InstallDir (Go's os.UserCacheDir).
install_dir() {
	if [ -n "${MODELREG_ORT_DIR:-}" ]; then echo "$MODELREG_ORT_DIR"; return; fi
	local cache
	case "$goos" in
	darwin) cache="${HOME:?HOME is not set}/Library/Caches" ;;
	windows) cache="$(cygpath -u "${LOCALAPPDATA:?LOCALAPPDATA is not set}")" ;;
	*)
		cache="${XDG_CACHE_HOME:-}"
		if [ -z "$cache" ]; then cache="${HOME:?HOME is not set}/.cache"; fi
		case "$cache" in /*) ;; *) die "XDG_CACHE_HOME is relative: $cache" ;; esac
		;;
	esac
	echo "${cache}/modelreg/onnxruntime/${VERSION}/${goos}-${goarch}"
}

sha256_of() {
	if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
	else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

dir="$(install_dir)"
dest="${dir}/${lib}"

# Fast path: already installed with the right hash.
if [ -f "$dest" ] && [ -n "$pinned" ] && [ "$(sha256_of "$dest")" = "$pinned" ]; then
	echo "$dest"
	exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [ -z "$url" ]; then
	command -v npm >/dev/null || die "npm is needed (or use --url with an official release tarball)"
	echo "install-ort: fetching ${NPM_PACKAGE} (about 110 MB)" >&2
	(cd "$tmp" && npm pack --silent "$NPM_PACKAGE" >/dev/null)
	member="package/bin/napi-v6/${npm_os}/${npm_arch}/${npm_lib}"
	tar -xzf "$tmp"/onnxruntime-node-"${VERSION}".tgz -C "$tmp" "$member"
	src="$tmp/$member"
else
	echo "install-ort: fetching $url" >&2
	curl -fsSL "$url" -o "$tmp/ort.tgz"
	tar -xzf "$tmp/ort.tgz" -C "$tmp"
	src="$(find "$tmp" -path '*/lib/*' \( -name "libonnxruntime.so.${VERSION}" -o -name "libonnxruntime.${VERSION}.dylib" -o -name onnxruntime.dll \) | head -n1)"
	[ -n "$src" ] || die "no ONNX Runtime ${VERSION} library in $url"
fi

got="$(sha256_of "$src")"
if [ -n "$pinned" ] && [ "$got" != "$pinned" ]; then
	die "sha256 mismatch for ${src#"$tmp"/}: got $got, want $pinned"
fi
[ -n "$pinned" ] || echo "install-ort: warning: no --sha256 given; library sha256 is $got" >&2

mkdir -p "$dir"
# On Windows the npm build of onnxruntime.dll uses DirectML.dll from the same directory.
if [ -z "$url" ] && [ "$goos" = windows ]; then
	dml="$tmp/package/bin/napi-v6/${npm_os}/${npm_arch}/DirectML.dll"
	tar -xzf "$tmp"/onnxruntime-node-"${VERSION}".tgz -C "$tmp" "${dml#"$tmp"/}"
	case "$goarch" in amd64) dml_sha=234e8898778cdec88d3cb0539508273494082812c968699f3de665a018971625 ;;
	arm64) dml_sha=aaf72a9d55aa123e0708d957d30dd4fbeb7a2e335ec6257ed5ff4261a402b9ee ;; esac
	[ "$(sha256_of "$dml")" = "$dml_sha" ] || die "sha256 mismatch for DirectML.dll"
	cp "$dml" "$dir/DirectML.dll"
fi
cp "$src" "$dest.tmp.$$"
chmod 0755 "$dest.tmp.$$"
mv -f "$dest.tmp.$$" "$dest"
echo "$dest"

package install

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// DefaultRegistry is the npm registry [Runtime] downloads onnxruntime-node
// from when neither [Options].Registry nor $npm_config_registry is set.
const DefaultRegistry = "https://registry.npmjs.org"

// OfficialURL returns the address of the official ONNX Runtime release
// tarball for Linux x64 (gpu selects the CUDA build), for use with
// [Options].URL. Its sha256 is on the release page.
func OfficialURL(version string, gpu bool) string {
	name := "onnxruntime-linux-x64-" + version
	if gpu {
		name = "onnxruntime-linux-x64-gpu-" + version
	}
	return "https://github.com/microsoft/onnxruntime/releases/download/v" + version + "/" + name + ".tgz"
}

// npmRelease pins one onnxruntime-node tarball.
type npmRelease struct {
	tarball   string               // sha256 of the .tgz
	platforms map[string][]npmFile // by GOOS-GOARCH; the library first
	gpu       map[string]bool      // platforms whose build has a GPU provider
}

// npmFile is one file of a platform's build inside the npm package.
type npmFile struct {
	member string // name below package/bin/napi-v6/<os>/<arch>/
	dest   string // installed name
	sha256 string // pinned digest of the file
}

// npmReleases are the onnxruntime-node versions whose files are pinned (the
// same pins as scripts/install-ort.sh).
var npmReleases = map[string]npmRelease{
	"1.30.0": {
		tarball: "6e3390d6b783e7be946fad629292799da28d0b42f84856e50d2c1b0383291e75",
		platforms: map[string][]npmFile{
			"linux-amd64":   {{"libonnxruntime.so.1", "libonnxruntime.so.1", "ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23"}},
			"linux-arm64":   {{"libonnxruntime.so.1", "libonnxruntime.so.1", "1f549d46250b005580b597f4164984aaf75b3bcb9f3aeb07c7f8a8fe60b23c76"}},
			"darwin-arm64":  {{"libonnxruntime.1.30.0.dylib", "libonnxruntime.dylib", "685d2be5dba1309c89d3a5324b7fd06a5c42f1a61bfea32d14c4cc28d072121d"}},
			"windows-amd64": {{"onnxruntime.dll", "onnxruntime.dll", "508c362f5673483dd3a086379c392795b2e42d10d5e6f3f90ebd7ac21c97af67"}, {"DirectML.dll", "DirectML.dll", "234e8898778cdec88d3cb0539508273494082812c968699f3de665a018971625"}},
			"windows-arm64": {{"onnxruntime.dll", "onnxruntime.dll", "6c3a2abf5c6aca11c48a0d338a91af309f2266f25ce2e4084e6a87bbcb0fbfd0"}, {"DirectML.dll", "DirectML.dll", "aaf72a9d55aa123e0708d957d30dd4fbeb7a2e335ec6257ed5ff4261a402b9ee"}},
		},
		// The Windows builds carry DirectML; the Linux ones are CPU only
		// (npm's installer fetches the CUDA provider from NuGet, unpinned).
		gpu: map[string]bool{"windows-amd64": true, "windows-arm64": true},
	},
}

// npmDirs spells GOOS and GOARCH as the npm package's directories.
var npmDirs = map[string]string{"linux": "linux", "darwin": "darwin", "windows": "win32", "amd64": "x64", "arm64": "arm64"}

// plan is what one install fetches and keeps.
type plan struct {
	url     string
	tarSHA  string            // pinned sha256 of the tarball, or ""
	lib     string            // installed name of the library, committed last
	pins    map[string]string // installed name → pinned sha256 ("" for none)
	needGPU bool              // a CUDA provider must be among the files
	// want maps a tarball entry to the installed name, or "" to skip it.
	want func(entry string) string
}

// libName is the installed library's name on goos, the first name loader.Find tries.
func libName(goos string) string {
	switch goos {
	case "darwin":
		return "libonnxruntime.dylib"
	case "windows":
		return "onnxruntime.dll"
	}
	return "libonnxruntime.so.1"
}

// makePlan checks o (already defaulted) for plat ("linux-amd64") and says
// what to fetch. It touches nothing.
func makePlan(o *Options, plat string) (*plan, error) {
	goos, goarch, _ := strings.Cut(plat, "-")
	if o.URL != "" {
		if o.SHA256 == "" {
			return nil, fmt.Errorf("%w: --url %s needs --sha256 (the tarball's, from the release page)", ErrNoPin, o.URL)
		}
		return urlPlan(o, goos), nil
	}
	rel, pinned := npmReleases[o.Version]
	files := rel.platforms[plat]
	if o.GPU && !rel.gpu[plat] {
		return nil, fmt.Errorf("%w: npm's onnxruntime-node %s has no GPU build for %s; install an official GPU release tarball with --url %s --sha256 HEX",
			ErrNoGPUBuild, o.Version, plat, OfficialURL(o.Version, true))
	}
	if !pinned || files == nil {
		if o.SHA256 == "" {
			return nil, fmt.Errorf("%w: onnxruntime-node %s for %s is not pinned; give --sha256 of its tarball, or --url and --sha256 of an official release tarball",
				ErrNoPin, o.Version, plat)
		}
		files = unpinnedNPMFiles(goos, o.Version)
	}
	npmOS, npmArch := npmDirs[goos], npmDirs[goarch]
	if npmOS == "" || npmArch == "" {
		return nil, fmt.Errorf("%w: npm has no onnxruntime-node build for %s; use --url and --sha256 with an official release tarball", ErrNoPin, plat)
	}
	p := &plan{
		url:    strings.TrimSuffix(o.Registry, "/") + "/onnxruntime-node/-/onnxruntime-node-" + url.PathEscape(o.Version) + ".tgz",
		tarSHA: rel.tarball,
		lib:    files[0].dest,
		pins:   map[string]string{},
	}
	if o.SHA256 != "" {
		p.tarSHA = o.SHA256
	}
	members := map[string]string{}
	for _, f := range files {
		members[path.Join("package/bin/napi-v6", npmOS, npmArch, f.member)] = f.dest
		p.pins[f.dest] = f.sha256
	}
	p.want = func(entry string) string { return members[entry] }
	return p, nil
}

// unpinnedNPMFiles lists the files of an npm build whose digests are not
// pinned; the tarball's sha256 vouches for them.
func unpinnedNPMFiles(goos, version string) []npmFile {
	switch goos {
	case "darwin":
		return []npmFile{{"libonnxruntime." + version + ".dylib", "libonnxruntime.dylib", ""}}
	case "windows":
		return []npmFile{{"onnxruntime.dll", "onnxruntime.dll", ""}, {"DirectML.dll", "DirectML.dll", ""}}
	}
	return []npmFile{{"libonnxruntime.so.1", "libonnxruntime.so.1", ""}}
}

// urlPlan takes, from an official release tarball (<top>/lib/…), the
// library of o.Version and the execution-provider libraries beside it.
func urlPlan(o *Options, goos string) *plan {
	lib := libName(goos)
	var main, prefix, suffix string
	switch goos {
	case "darwin":
		main, prefix, suffix = "libonnxruntime."+o.Version+".dylib", "libonnxruntime_providers_", ".dylib"
	case "windows":
		main, prefix, suffix = "onnxruntime.dll", "onnxruntime_providers_", ".dll"
	default:
		main, prefix, suffix = "libonnxruntime.so."+o.Version, "libonnxruntime_providers_", ".so"
	}
	p := &plan{url: o.URL, tarSHA: o.SHA256, lib: lib, pins: map[string]string{lib: ""}, needGPU: o.GPU}
	p.want = func(entry string) string {
		dir, base := path.Split(entry)
		if path.Base(dir) != "lib" {
			return ""
		}
		switch {
		case base == main:
			return lib
		case strings.HasPrefix(base, prefix) && strings.HasSuffix(base, suffix):
			return base
		}
		return ""
	}
	return p
}

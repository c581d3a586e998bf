package jpegscale

import "testing"

// limits are the accepted differences from image/jpeg: at scale 1 the
// largest and mean absolute sample difference per plane, at other scales
// the smallest PSNR against the box-averaged full decode.
type limits struct {
	maxDiff int
	maxMean float64
	minPSNR float64
}

// Measured: photos max diff 1, mean ≤ 0.014, PSNR ≥ 33.1 dB (elephants,
// scale 2, Y); generated files max diff 1, mean ≤ 0.17 (planes of 6
// samples), PSNR ≥ 30.6 dB (4:2:2 17×9 at scale 8, Cb).
var (
	photoLimits = limits{maxDiff: 2, maxMean: 0.05, minPSNR: 30}
	synthLimits = limits{maxDiff: 2, maxMean: 0.25, minPSNR: 27}
)

// compare checks a decode of b at each scale against image/jpeg: at scale
// 1 sample by sample, at other scales by PSNR against a box average.
func compare(t *testing.T, name string, b []byte, lim limits) {
	t.Helper()
	ref := refDecode(t, b)
	rp := planes(t, ref)
	for _, scale := range []int{1, 2, 4, 8} {
		mp := planes(t, decodeScaled(t, b, scale, ref))
		for i := range rp {
			if scale == 1 {
				md, mean := diffStats(mp[i], rp[i])
				t.Logf("%s scale 1 %s: max diff %d, mean %.4f", name, rp[i].name, md, mean)
				if md > lim.maxDiff || mean > lim.maxMean {
					t.Errorf("%s %s: max diff %d, mean %.4f; want ≤ %d, ≤ %.3f", name, rp[i].name, md, mean, lim.maxDiff, lim.maxMean)
				}
				continue
			}
			psnr := boxPSNR(mp[i], rp[i], scale)
			t.Logf("%s scale %d %s: PSNR %.2f dB", name, scale, rp[i].name, psnr)
			if psnr < lim.minPSNR {
				t.Errorf("%s scale %d %s: PSNR %.2f dB; want ≥ %.1f", name, scale, rp[i].name, psnr, lim.minPSNR)
			}
		}
	}
}

func TestPhotos(t *testing.T) {
	for _, name := range photos {
		t.Run(name, func(t *testing.T) {
			compare(t, name, readPhoto(t, name), photoLimits)
		})
	}
}

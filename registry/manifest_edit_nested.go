package registry

import "bytes"

// editNested adds to fixed the new text of each top-level member other
// than "models" whose value is an object both before and after the edit
// but changed: it is edited member by member, recursively (see
// editValue), so that changing one alias rewrites only that alias's line.
func editNested(data []byte, top node, was, now []member, topL layout, fixed map[string][]byte) {
	wasM, nowM := memberMap(was), memberMap(now)
	count := map[string]int{}
	for _, k := range top.keys {
		count[k]++
	}
	for i, k := range top.keys {
		if count[k] != 1 {
			continue
		}
		if _, ok := fixed[k]; ok {
			continue
		}
		if text, ok := editValue(data, top.vals[i].start, wasM[k], nowM[k], topL.deeper()); ok {
			fixed[k] = text
		}
	}
}

// editValue returns the object of b at start (canonically was) changed to
// now, keeping the bytes of its unchanged members and editing its changed
// object members the same way; ok is false when either side is not an
// object, nothing changed, or the object cannot be edited in place.
func editValue(b []byte, start int, was, now []byte, def layout) ([]byte, bool) {
	if len(was) == 0 || len(now) == 0 || was[0] != '{' || now[0] != '{' || bytes.Equal(was, now) {
		return nil, false
	}
	n, ok := scanNode(b, start)
	if !ok || !n.isObject(b) {
		return nil, false
	}
	wm, okW := membersOf(was)
	nm, okN := membersOf(now)
	if !okW || !okN {
		return nil, false
	}
	l := layoutOf(b, n, def)
	fixed := map[string][]byte{}
	editNested(b, n, wm, nm, l, fixed)
	ps, ok := editObject(b, n, wm, nm, l, fixed)
	if !ok {
		return nil, false
	}
	return render(b, n, ps, l), true
}

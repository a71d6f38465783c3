package form

import (
	"hash/maphash"
	"math/bits"

	"github.com/tangram/tangram/engine/errs"
)

// dupTracker remembers the unique values of the rows read so far, as
// 64-bit hashes with the row that holds each, so that a value repeated in
// the file is reported at its second row even in a dry run, where nothing
// is claimed in the store. It is an open-addressing table of two parallel
// arrays (hashes and row numbers: 12 bytes a slot, no per-entry
// allocation) that grows by half when three quarters full: 16–24 bytes
// per value, against about 40 for a map[uint64]int. A million rows with
// one unique field take about 20 MB. 64-bit hashes keep the chance of
// two different values colliding below one in ten million for a million
// values; hash 0 marks an empty slot (a value hashing to 0 is stored as 1).
type dupTracker struct {
	seed  maphash.Seed
	hash  []uint64
	row   []uint32
	count int
}

func newDupTracker() *dupTracker {
	return &dupTracker{seed: maphash.MakeSeed(), hash: make([]uint64, 1024), row: make([]uint32, 1024)}
}

// dupHash hashes a unique value of field key.
func (t *dupTracker) dupHash(key string, v any) uint64 {
	var h maphash.Hash
	h.SetSeed(t.seed)
	h.WriteString(key)
	h.WriteByte(0)
	h.WriteString(jsonText(v))
	if s := h.Sum64(); s != 0 {
		return s
	}
	return 1
}

// slot is where h is, or would go.
func (t *dupTracker) slot(h uint64) int {
	hi, _ := bits.Mul64(h, uint64(len(t.hash)))
	i := int(hi)
	for t.hash[i] != 0 && t.hash[i] != h {
		if i++; i == len(t.hash) {
			i = 0
		}
	}
	return i
}

// rowOf returns the row holding hash h.
func (t *dupTracker) rowOf(h uint64) (int, bool) {
	i := t.slot(h)
	return int(t.row[i]), t.hash[i] != 0
}

func (t *dupTracker) put(h uint64, row int) {
	if 4*(t.count+1) > 3*len(t.hash) {
		t.grow()
	}
	i := t.slot(h)
	if t.hash[i] == 0 {
		t.count++
	}
	t.hash[i], t.row[i] = h, uint32(row)
}

func (t *dupTracker) grow() {
	oldH, oldR := t.hash, t.row
	n := len(oldH) + len(oldH)/2
	t.hash, t.row, t.count = make([]uint64, n), make([]uint32, n), 0
	for i, h := range oldH {
		if h != 0 {
			t.put(h, int(oldR[i]))
		}
	}
}

// remove deletes hash h (backward-shift deletion keeps probes intact).
func (t *dupTracker) remove(h uint64) {
	i := t.slot(h)
	if t.hash[i] == 0 {
		return
	}
	t.count--
	n := len(t.hash)
	for {
		t.hash[i] = 0
		j := i
		for {
			if j++; j == n {
				j = 0
			}
			if t.hash[j] == 0 {
				return
			}
			hi, _ := bits.Mul64(t.hash[j], uint64(n))
			home := int(hi)
			// Move j back to i unless its home lies cyclically in (i, j].
			if (i <= j && (home <= i || home > j)) || (i > j && home <= i && home > j) {
				break
			}
		}
		t.hash[i], t.row[i] = t.hash[j], t.row[j]
		i = j
	}
}

// check reports the values of vals seen in an earlier row.
func (t *dupTracker) check(row *importRow, vals map[string]any, lang string) []errs.FieldError {
	var fe []errs.FieldError
	for _, k := range sortedKeys(vals) {
		if first, ok := t.rowOf(t.dupHash(k, vals[k])); ok && first != row.row {
			path := k
			if k == SysID {
				path = ""
			}
			fe = append(fe, ioFieldErr(lang, path, "import.duplicate", first))
		}
	}
	return fe
}

// add remembers a row's values.
func (t *dupTracker) add(row *importRow, vals map[string]any) {
	for k, v := range vals {
		h := t.dupHash(k, v)
		t.put(h, row.row)
		row.marks = append(row.marks, h)
	}
}

// forget drops the values of a row that failed after all, so a later row
// holding them is not called a duplicate of a row that was not imported.
func (t *dupTracker) forget(row *importRow) {
	for _, h := range row.marks {
		if first, ok := t.rowOf(h); ok && first == row.row {
			t.remove(h)
		}
	}
	row.marks = nil
}

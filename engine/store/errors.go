package store

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tangram/tangram/engine/errs"
)

// Typed store errors; adapters wrap driver errors in these (keeping the
// driver error as the hidden cause) so no driver text reaches an API user.
var (
	ErrNotFound        = errs.New(errs.NotFound, "store.not_found", "not found")
	ErrDuplicate       = errs.New(errs.Conflict, "store.duplicate", "a record with this key already exists")
	ErrConditionFailed = errs.New(errs.Conflict, "store.condition_failed", "the record changed or does not meet the condition")
	ErrConflict        = errs.New(errs.Conflict, "store.conflict", "concurrent update conflict; retry")
	ErrUnsupported     = errs.New(errs.Internal, "store.unsupported", "this operation is not supported by the store backend")
	ErrInvalid         = errs.New(errs.Invalid, "store.invalid", "invalid store request")
)

// Wrapf returns a copy of base with a message and an internal cause.
func Wrapf(base *errs.Error, cause error, format string, args ...any) error {
	e := errs.Wrap(cause, base.Class, base.Code, format, args...)
	return e
}

// RowError is the error of InsertMany for row i of its docs: base's class
// and code (ErrDuplicate, ErrInvalid), and one field error whose path is
// "[i]", so FailedRow (and a client reading the fields) can tell which row.
func RowError(base *errs.Error, cause error, i int) error {
	path := "[" + strconv.Itoa(i) + "]"
	return &errs.Error{Class: base.Class, Code: base.Code, Msg: fmt.Sprintf("row %d: %s", i, base.Msg), Cause: cause,
		Fields: []errs.FieldError{{Path: path, Code: base.Code, Message: base.Msg}}}
}

// FailedRow returns the row of InsertMany's docs that err (from RowError)
// names.
func FailedRow(err error) (int, bool) {
	e, ok := errs.As(err)
	if !ok || len(e.Fields) != 1 {
		return 0, false
	}
	p := e.Fields[0].Path
	if !strings.HasPrefix(p, "[") || !strings.HasSuffix(p, "]") {
		return 0, false
	}
	i, err := strconv.Atoi(p[1 : len(p)-1])
	return i, err == nil && i >= 0
}

// ValidCollection reports whether name is a safe collection name:
// ^[A-Za-z][A-Za-z0-9_]{0,119}$. Adapters check it before building any
// statement (on every operation, hence no regular expression).
func ValidCollection(name string) bool {
	if len(name) == 0 || len(name) > 120 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '_')) {
			return false
		}
	}
	return true
}

var indexNameRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// ValidIndexName reports whether name is a safe index name.
func ValidIndexName(name string) bool { return indexNameRe.MatchString(name) }

// NewID returns a new 20-character id that sorts by creation time: 48 bits
// of milliseconds then 52 random bits, in Crockford base32 (lowercase).
// Ids made in the same millisecond by one process still increase.
func NewID() string {
	idMu.Lock()
	ms := uint64(time.Now().UnixMilli())
	var r uint64
	if ms == lastMS {
		lastRand++
		r = lastRand
	} else {
		var b [8]byte
		_, _ = rand.Read(b[:])
		r = binary.BigEndian.Uint64(b[:]) >> 15 // 49 of the 50 bits: room to increment
		lastMS, lastRand = ms, r
	}
	idMu.Unlock()
	const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	var out [20]byte
	// 10 chars of time (50 bits), 10 chars of randomness (50 bits).
	for i := 9; i >= 0; i-- {
		out[i] = alphabet[ms&31]
		ms >>= 5
	}
	for i := 19; i >= 10; i-- {
		out[i] = alphabet[r&31]
		r >>= 5
	}
	return string(out[:])
}

var (
	idMu     sync.Mutex
	lastMS   uint64
	lastRand uint64
)

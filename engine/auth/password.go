package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"

	"golang.org/x/crypto/argon2"
)

// HashParams are argon2id cost parameters. They are written into every hash
// (PHC string), so raising them later only affects new hashes, and old ones
// are upgraded at the next successful login.
type HashParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultHashParams follow the OWASP argon2id minimum (19 MiB, 2 passes, 1
// lane): strong enough for interactive logins while a burst of them on a
// 2-core machine stays well inside the memory budget.
var DefaultHashParams = HashParams{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// HashPassword hashes password with argon2id and a fresh random salt and
// returns the PHC string "$argon2id$v=19$m=..,t=..,p=..$<salt>$<hash>".
func HashPassword(password string, p HashParams) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

func mustHash(password string, p HashParams) string {
	h, err := HashPassword(password, p)
	if err != nil {
		panic("auth: no randomness for a salt: " + err.Error())
	}
	return h
}

// VerifyPassword reports whether password matches the PHC-encoded hash,
// comparing in constant time. A malformed hash never matches.
func VerifyPassword(password, encoded string) bool {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// NeedsRehash reports whether encoded was made with parameters other than p
// (or cannot be read), so a successful login should store a fresh hash.
func NeedsRehash(encoded string, p HashParams) bool {
	h, salt, key, err := decodeHash(encoded)
	if err != nil {
		return true
	}
	return h.Memory != p.Memory || h.Time != p.Time || h.Threads != p.Threads ||
		uint32(len(salt)) != p.SaltLen || uint32(len(key)) != p.KeyLen
}

// maxHashMemory refuses stored hashes that would make one verification
// allocate more than this (a tampered document must not take the server
// down); it is far above any sane interactive setting.
const maxHashMemory = 256 * 1024 // KiB: 256 MiB

func decodeHash(encoded string) (p HashParams, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("not an argon2id hash")
	}
	var v int
	if _, err = fmt.Sscanf(parts[2], "v=%d", &v); err != nil || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, fmt.Errorf("unsupported argon2 version")
	}
	_, err = fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads)
	if err != nil || fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads) != parts[3] {
		return p, nil, nil, fmt.Errorf("bad argon2 parameters")
	}
	if p.Memory == 0 || p.Memory > maxHashMemory || p.Time == 0 || p.Time > 64 || p.Threads == 0 {
		return p, nil, nil, fmt.Errorf("argon2 parameters out of range")
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("bad salt")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return p, nil, nil, fmt.Errorf("bad hash")
	}
	return p, salt, key, nil
}

// GeneratePassword returns a random password of n characters (at least 12)
// that passes the password policy: it always holds all four classes.
func GeneratePassword(n int) (string, error) {
	if n < 12 {
		n = 12
	}
	classes := []string{
		"abcdefghijkmnpqrstuvwxyz", // no l: avoids l/1 confusion when copied by hand
		"ABCDEFGHJKLMNPQRSTUVWXYZ", // no I, O
		"23456789",                 // no 0, 1
		"!#%+-=@_",
	}
	all := strings.Join(classes, "")
	out := make([]byte, n)
	pick := func(set string) (byte, error) {
		i, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			return 0, err
		}
		return set[i.Int64()], nil
	}
	var err error
	for i := range out {
		set := all
		if i < len(classes) {
			set = classes[i]
		}
		if out[i], err = pick(set); err != nil {
			return "", err
		}
	}
	// Shuffle so the guaranteed class characters are not always in front.
	for i := len(out) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out), nil
}

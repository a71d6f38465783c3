package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/errs"
)

// Password policy limits.
const (
	MinPasswordLen = 10
	// MaxPasswordLen bounds the input to one hash; longer adds nothing and
	// would let a client make the server hash megabytes.
	MaxPasswordLen = 256
)

// commonPasswords are widely used passwords that still satisfy the length
// and class rules, compared case-insensitively. A small list on purpose: the
// lockout and rate limit handle guessing; this only stops the obvious picks.
var commonPasswords = map[string]bool{}

func init() {
	for _, p := range []string{
		"password123", "password1!", "password@123", "p@ssw0rd123", "p@ssword123",
		"passw0rd123", "passw0rd!", "p@ssw0rd!", "qwerty12345", "qwerty@123",
		"qwer1234!@#$", "1qaz2wsx3edc", "1qaz@wsx3edc", "1qaz!qaz1qaz", "zaq12wsxcde3",
		"admin@12345", "admin123456", "admin@123456", "administrator1", "welcome123!",
		"welcome@123", "welcome2024!", "welcome2025!", "welcome2026!", "abcd@12345",
		"abc@123456", "abc12345678", "aa123456789", "aa1234567890", "qq123456789",
		"woaini1314!", "woaini@1314", "iloveyou123!", "changeme123!", "letmein123!",
		"tangram123!", "tangram@123", "test@123456", "root@123456", "huawei@123",
	} {
		commonPasswords[p] = true
	}
}

// Password policy field-error codes.
const (
	PwTooShort   = "password.too_short"
	PwTooLong    = "password.too_long"
	PwClasses    = "password.classes"
	PwSameAsUser = "password.same_as_username"
	PwCommon     = "password.common"
)

// CheckPassword applies the password policy and returns an
// auth.weak_password error (422) listing every rule broken, each as a field
// error at path, or nil. Rules: at least MinPasswordLen characters, at most
// MaxPasswordLen, at least three of lower case, upper case, digit and
// symbol, not the username, not a common password.
func CheckPassword(password, username, path string) error {
	var fe []errs.FieldError
	add := func(code, msg string) { fe = append(fe, errs.FieldError{Path: path, Code: code, Message: msg}) }
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLen {
		add(PwTooShort, "must be at least 10 characters")
	}
	if n > MaxPasswordLen {
		add(PwTooLong, "must be at most 256 characters")
	}
	var lower, upper, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			// Anything else, CJK characters included, counts as a symbol:
			// it widens the alphabet an attacker must try just the same.
			symbol = true
		}
	}
	if count(lower, upper, digit, symbol) < 3 {
		add(PwClasses, "must use at least three of: lower case, upper case, digits, symbols")
	}
	if username != "" && strings.EqualFold(strings.TrimSpace(password), strings.TrimSpace(username)) {
		add(PwSameAsUser, "must not be the username")
	}
	if commonPasswords[strings.ToLower(password)] {
		add(PwCommon, "is too common")
	}
	return errs.Validation(ErrWeakPassword.Class, ErrWeakPassword.Code, ErrWeakPassword.Msg, fe)
}

func count(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

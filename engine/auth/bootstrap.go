package auth

import (
	"context"
)

// AdminUsername is the account EnsureAdmin creates on a new installation.
const AdminUsername = "admin"

// EnsureAdmin creates the platform admin "admin" on first start, when the
// store has no user at all. password (from TANGRAM_ADMIN_PASSWORD, read by
// the caller) must pass the password policy; when it is empty a strong one
// is generated and returned so the caller can print it once. With users
// present it does nothing and returns created=false, also when another
// server instance won the race to create the admin.
func (s *Service) EnsureAdmin(ctx context.Context, password string) (created bool, generated string, err error) {
	n, err := s.st.Count(ctx, CollUsers, nil)
	if err != nil || n > 0 {
		return false, "", err
	}
	if password == "" {
		if generated, err = GeneratePassword(20); err != nil {
			return false, "", err
		}
		password = generated
	}
	_, err = s.createUser(ctx, System(), UserInput{
		Username: AdminUsername, DisplayName: "管理员", Password: password, Admin: true,
	}, map[string]any{"bootstrap": true})
	if isCode(err, ErrUserExists) {
		return false, "", nil
	}
	if err != nil {
		return false, "", err
	}
	return true, generated, nil
}

package auth_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/store"
)

func openService(t *testing.T) (*auth.Service, context.Context) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "t.db"), store.Options{})
	must(t, err)
	t.Cleanup(func() { st.Close() })
	svc := auth.New(st, auth.Config{Hash: fastHash})
	must(t, svc.Init(ctx))
	return svc, ctx
}

func TestEnsureAdminGeneratesOnce(t *testing.T) {
	t.Parallel()
	svc, ctx := openService(t)
	created, generated, err := svc.EnsureAdmin(ctx, "")
	must(t, err)
	if !created || len(generated) != 20 {
		t.Fatalf("created %v, generated %q", created, generated)
	}
	res, err := svc.Login(ctx, auth.LoginInput{Username: "admin", Password: generated})
	must(t, err)
	if !res.Principal.Admin {
		t.Fatal("bootstrap user is not a platform admin")
	}
	for _, pw := range []string{"", "An0ther-Strong-Pass"} {
		created, generated, err = svc.EnsureAdmin(ctx, pw)
		if err != nil || created || generated != "" {
			t.Fatalf("second EnsureAdmin: %v %q %v", created, generated, err)
		}
	}
}

func TestEnsureAdminWithGivenPassword(t *testing.T) {
	t.Parallel()
	svc, ctx := openService(t)
	_, _, err := svc.EnsureAdmin(ctx, "admin12345")
	wantCode(t, err, "auth.weak_password")
	created, generated, err := svc.EnsureAdmin(ctx, adminPassword)
	must(t, err)
	if !created || generated != "" {
		t.Fatalf("created %v generated %q", created, generated)
	}
	if _, err := svc.Login(ctx, auth.LoginInput{Username: "admin", Password: adminPassword}); err != nil {
		t.Fatal(err)
	}
}

package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// User runs `tangram user create`: it adds a user straight to the store,
// for recovery (a lost admin password) and for provisioning scripts. The
// password comes from TANGRAM_USER_PASSWORD or standard input, never from a
// flag, so it does not end up in the shell history or the process list.
func User(args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: tangram user create -username NAME [-display NAME] [-admin] [-data DIR | -mongo URI]; password from TANGRAM_USER_PASSWORD or stdin")
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	var cfg Config
	bindServe(fs, &cfg)
	username := fs.String("username", "", "the new user's name")
	display := fs.String("display", "", "display name (default: the username)")
	admin := fs.Bool("admin", false, "make the user a platform admin")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	password := os.Getenv("TANGRAM_USER_PASSWORD")
	if password == "" {
		var line string
		if _, err := fmt.Fscanln(os.Stdin, &line); err != nil {
			return errors.New("give the password in TANGRAM_USER_PASSWORD or on standard input")
		}
		password = strings.TrimSpace(line)
	}
	ctx := context.Background()
	uri, err := cfg.StoreURI()
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, uri, store.Options{})
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	as := auth.New(st, auth.Config{})
	if err := as.Init(ctx); err != nil {
		return err
	}
	u, err := as.CreateUser(ctx, auth.System(), auth.UserInput{Username: *username, DisplayName: *display, Password: password, Admin: *admin})
	if err != nil {
		return explain(err)
	}
	fmt.Printf("created user %q (id %s, admin %v)\n", u.Username, u.ID, u.Admin)
	return nil
}

// explain renders a coded error with its field errors for a terminal.
func explain(err error) error {
	e, ok := errs.As(err)
	if !ok {
		return err
	}
	var b strings.Builder
	b.WriteString(e.Msg)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n  %s: %s", f.Path, f.Message)
	}
	return errors.New(b.String())
}

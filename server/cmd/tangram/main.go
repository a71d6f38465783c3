// Command tangram is the Tangram server and its admin tools. This file only
// wires subcommands, adapters and plugins together.
package main

import (
	"fmt"
	"os"
	_ "time/tzdata" // business time zones work on hosts without a tz database

	_ "github.com/tangram/tangram/engine/store/mongo"
	_ "github.com/tangram/tangram/engine/store/sqlite"
	_ "github.com/tangram/tangram/plugins/all" // bundled plugins register themselves
	"github.com/tangram/tangram/server/cli"
)

const usage = `tangram — self-hosted no-code platform

usage:
  tangram serve [flags]     run the server (tangram serve -h lists flags)
  tangram user create -username NAME [-admin] [-data DIR | -mongo URI]
                            add a user (password from TANGRAM_USER_PASSWORD or stdin)
  tangram template list | install NAME [-app crm] [-demo-members N] [-seed S] [-data DIR | -mongo URI]
                            list the shipped templates, install one (with demo data)
  tangram bench checkout|records-create|report|dashboard [-url URL] [-c 32] [-duration 30s | -n N] [-pid PID]
                            load-test a running server (password from TANGRAM_PASSWORD); report and
                            dashboard give the cold figure, then warm percentiles (-report/-dashboard KEY)
  tangram backup [-data DIR] -out FILE
                            consistent backup of a data dir (.tar.gz) while the server runs
  tangram restore -in FILE [-data DIR] [-force]
                            check a backup, then restore it (server stopped)
  tangram version           print the version
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = cli.Serve(os.Args[2:])
	case "user":
		err = cli.User(os.Args[2:])
	case "template":
		err = cli.Template(os.Args[2:])
	case "bench":
		err = cli.Bench(os.Args[2:])
	case "backup":
		err = cli.Backup(os.Args[2:])
	case "restore":
		err = cli.Restore(os.Args[2:])
	case "version":
		fmt.Println(cli.Version)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tangram:", err)
		os.Exit(1)
	}
}

package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/benchdb/benchdb/internal/termsafe"
	"github.com/benchdb/benchdb/server"
)

func tokenCommand() *cli.Command {
	tokenFile := func() cli.Flag {
		return &cli.StringFlag{Name: "token-file", Usage: "the server's token `FILE`", EnvVars: []string{"BENCHDB_TOKEN_FILE"}}
	}
	return &cli.Command{
		Name:  "token",
		Usage: "manage the tokens that may upload to benchdb serve",
		Description: `The token file of benchdb serve holds one line per token: its name and
the SHA-256 of the token. "token add" makes a token and prints it once;
"token list" lists the names. Delete a line to revoke a token.

Examples:

   benchdb token add ci --token-file /etc/benchdb/tokens
   benchdb token list --token-file /etc/benchdb/tokens`,
		Subcommands: []*cli.Command{{
			Name:      "add",
			Usage:     "make a new token, store its hash in the token file, print it once",
			ArgsUsage: "NAME",
			Description: `Add makes a random token (256 bits), appends "NAME sha256:HASH" to the token
file (created with mode 0600), and prints the token on standard output. Only
its SHA-256 hash is stored, so the token cannot be shown again: put it in
your CI's secrets now. A running benchdb serve picks up the new line
without a restart. To revoke a token, delete its line.

A plain SHA-256 is enough for these tokens: they are 256-bit random
strings, which nobody can guess or search for from a stolen hash, however
fast the hash. Slow password hashes (bcrypt, argon2) protect low-entropy
passwords; here they would only slow every upload.

Examples:

   benchdb token add ci-linux --token-file /etc/benchdb/tokens
   benchdb token add laptop --token-file tokens.txt > ~/.benchdb-token`,
			Flags:  []cli.Flag{tokenFile()},
			Action: tokenAddAction,
		}, {
			Name:  "list",
			Usage: "list the names in a token file",
			Description: `List prints the name of each token in the token file, one a line.

Examples:

   benchdb token list --token-file /etc/benchdb/tokens`,
			Flags:  []cli.Flag{tokenFile()},
			Action: tokenListAction,
		}},
	}
}

func tokenAddAction(c *cli.Context) error {
	args, err := positionalArgs(c, false)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return usagef("token add: want one NAME, got %d arguments", len(args))
	}
	if c.String("token-file") == "" {
		return usagef("token add: --token-file is required")
	}
	token, err := server.AddToken(c.String("token-file"), args[0])
	if err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer, token)
	fmt.Fprintf(c.App.ErrWriter, "benchdb: added token %s to %s; it is shown only this once\n", termsafe.Escape(args[0]), termsafe.Escape(c.String("token-file")))
	return nil
}

func tokenListAction(c *cli.Context) error {
	args, err := positionalArgs(c, false)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return usagef("token list: unexpected argument %q", args[0])
	}
	if c.String("token-file") == "" {
		return usagef("token list: --token-file is required")
	}
	names, err := server.TokenNames(c.String("token-file"))
	if err != nil {
		return err
	}
	for _, n := range names {
		fmt.Fprintln(c.App.Writer, termsafe.Escape(n))
	}
	return nil
}

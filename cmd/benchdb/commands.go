package main

import "github.com/urfave/cli/v2"

// commands returns every benchdb command, in the order `benchdb help`
// lists them. Each constructor lives in the file named after its command.
func commands() []*cli.Command {
	return []*cli.Command{
		runCommand(),
		ingestCommand(),
		runsCommand(),
		showCommand(),
		exportCommand(),
		compareCommand(),
		reportCommand(),
		scenarioCommand(),
		suitesCommand(),
		profilesCommand(),
		serveCommand(),
		tokenCommand(),
	}
}

package pipeline

import "strings"

// posixScript builds the shell script of a step's commands: it stops at
// the first failing command and echoes each command, prefixed with "+ ",
// before running it.
func posixScript(commands []string) string {
	var b strings.Builder
	b.WriteString("set -e\n")
	for _, c := range commands {
		b.WriteString("echo ")
		b.WriteString(shellQuote("+ " + c))
		b.WriteByte('\n')
		b.WriteString(c)
		b.WriteByte('\n')
	}
	return b.String()
}

// powershellScript is posixScript for Windows hosts.
func powershellScript(commands []string) string {
	var b strings.Builder
	b.WriteString("$ErrorActionPreference = 'Stop';\n")
	for _, c := range commands {
		b.WriteString("Write-Output ")
		b.WriteString("'" + strings.ReplaceAll("+ "+c, "'", "''") + "'")
		b.WriteString(";\n")
		b.WriteString(c)
		b.WriteString("\nif ($LASTEXITCODE -gt 0) { exit $LASTEXITCODE }\n")
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

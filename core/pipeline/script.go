package pipeline

import "strings"

// posixScript builds the shell script of a step's commands: it stops at
// the first failing command and echoes each command, prefixed with "+ ",
// before running it.
func posixScript(commands []string) string {
	size := len("set -e\n")
	for _, c := range commands {
		size += 2*len(c) + 16
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString("set -e\n")
	for _, c := range commands {
		b.WriteString("echo '+ ")
		writeQuoted(&b, c)
		b.WriteString("'\n")
		b.WriteString(c)
		b.WriteByte('\n')
	}
	return b.String()
}

// writeQuoted writes s as the inside of a single-quoted POSIX word: each
// single quote closes the word, adds an escaped quote and reopens it.
func writeQuoted(b *strings.Builder, s string) {
	for {
		i := strings.IndexByte(s, '\'')
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		b.WriteString(`'\''`)
		s = s[i+1:]
	}
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

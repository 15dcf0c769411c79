package cmdutil

// Print writes v as the exporter asks when it is active, else calls
// table (the human form).
func Print(s *IO, e *Exporter, v any, table func() error) error {
	if e.Active() {
		return e.Write(s, v)
	}
	return table()
}

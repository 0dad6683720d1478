package ui

// Sanitize is the one sanitiser of cluster text (see sanitize), for the
// other outputs that print to a terminal (internal/output's tables).
func Sanitize(s string) string { return sanitize(s) }

// Package web holds what the browser gets: html/template pages, the style
// sheet and scripts, and the translation catalogs, all embedded in the
// binary.
package web

import "embed"

// FS holds templates/, static/ and i18n/.
//
//go:embed templates static i18n
var FS embed.FS

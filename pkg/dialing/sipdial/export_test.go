package sipdial

// ResultOf exposes the status-code table to the black-box tests.
var ResultOf = resultOf

package cdr

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"time"

	"github.com/plateau-bpo/plateau/pkg/apperr"
	"github.com/plateau-bpo/plateau/pkg/leadfile"
)

// sniffSize is how much of a source Detect reads to find its format: its
// first line must fit.
const sniffSize = 64 << 10

// Sniff names the format of a source from its first bytes (at least its
// first line): a JSON object is a batch; a header with a status column
// and a call_date or start_epoch one is a VICIdial export; a first row of
// 16 to 18 values whose tenth is a time is an Asterisk Master.csv.
// Anything else is refused with an Invalid *apperr.Error.
func Sniff(head []byte) (Format, error) {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return JSON, nil
	}
	rr, err := leadfile.NewRecordReader(bytes.NewReader(head))
	if err != nil {
		return "", err
	}
	first, err := rr.Next()
	if err == nil && first.Problem == nil {
		names := map[string]bool{}
		for _, v := range first.Values {
			names[strings.ToLower(strings.TrimSpace(v))] = true
		}
		if names["status"] && (names["call_date"] || names["start_epoch"]) {
			return Vicidial, nil
		}
		if n := len(first.Values); n >= astUniqueID && n <= len(AsteriskColumns) {
			if _, err := time.Parse(localLayout, strings.TrimSpace(first.Values[astStart])); err == nil {
				return Asterisk, nil
			}
		}
	}
	return "", apperr.New(apperr.Invalid, "cdr.format.unrecognized",
		"this file is neither an Asterisk Master.csv, nor a VICIdial call export with its header, nor a JSON batch of call detail records")
}

// Detect reads the head of src to Sniff its format, and returns a reader
// of the whole source, head included.
func Detect(src io.Reader) (Format, io.Reader, error) {
	br := bufio.NewReaderSize(src, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return "", br, err
	}
	f, err := Sniff(head)
	return f, br, err
}

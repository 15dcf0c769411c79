package gitremote

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Special pkt-lines: the end of a message, a section delimiter and the
// end of a stateless response.
var (
	flushPkt       = []byte("0000")
	responseEndPkt = []byte("0002")
)

// readPkt reads one pkt-line whole (its 4-byte length included): nil
// and io.EOF when the input ended before it began.
func readPkt(r *bufio.Reader) ([]byte, error) {
	head := make([]byte, 4)
	if _, err := io.ReadFull(r, head); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("a pkt-line cut short: %w", err)
		}
		return nil, err
	}
	n, err := strconv.ParseUint(string(head), 16, 16)
	if err != nil {
		return nil, fmt.Errorf("a pkt-line length %q is not hexadecimal", head)
	}
	if n < 4 { // flush, delimiter, response end: the length alone
		return head, nil
	}
	pkt := make([]byte, n)
	copy(pkt, head)
	if _, err := io.ReadFull(r, pkt[4:]); err != nil {
		return nil, fmt.Errorf("a pkt-line of %d bytes cut short: %w", n, err)
	}
	return pkt, nil
}

// readRequest reads one request git writes: its pkt-lines up to and
// with the flush. io.EOF: git is done (nothing was begun).
func readRequest(r *bufio.Reader) ([]byte, error) {
	var req bytes.Buffer
	for {
		pkt, err := readPkt(r)
		if err != nil {
			if errors.Is(err, io.EOF) && req.Len() > 0 {
				return nil, fmt.Errorf("a request cut short: %w", io.ErrUnexpectedEOF)
			}
			return nil, err
		}
		req.Write(pkt)
		if bytes.Equal(pkt, flushPkt) {
			return req.Bytes(), nil
		}
	}
}

// skipServiceHeader returns the advertisement without the smart-HTTP
// header ("# service=git-upload-pack" and its flush) that servers put
// before it, checking that it is protocol version 2.
func skipServiceHeader(adv []byte) ([]byte, error) {
	r := bufio.NewReader(bytes.NewReader(adv))
	first, err := readPkt(r)
	if err != nil {
		return nil, fmt.Errorf("the server's advertisement: %w", err)
	}
	rest := adv
	if bytes.HasPrefix(first[4:], []byte("# service=")) {
		if pkt, err := readPkt(r); err != nil || !bytes.Equal(pkt, flushPkt) {
			return nil, errors.New("the server's advertisement has no flush after its service line")
		}
		rest = adv[len(first)+len(flushPkt):]
		if first, err = readPkt(r); err != nil {
			return nil, fmt.Errorf("the server's advertisement: %w", err)
		}
	}
	if !bytes.Equal(bytes.TrimSpace(first[4:]), []byte("version 2")) {
		return nil, errors.New("the server does not speak git's protocol version 2, the only one this helper speaks")
	}
	return rest, nil
}

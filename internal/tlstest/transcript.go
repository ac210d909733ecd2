package tlstest

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Transcript is one connection between our engine and a real peer, as
// Exchange saw it: every read and write, in order. Its file form (under
// testdata/transcripts) is text: "#" comment lines (what ran), then one
// line per chunk, "peer <hex>" for a read, "ours <hex>" for a write, and
// "peer end" for a read that ended (EOF, a reset or the one-second
// silence after which a client closes).
type Transcript struct {
	Comments []string
	// OursClient says our engine was the client.
	OursClient bool
	Chunks     []Chunk
}

// WriteFile stores the transcript.
func (tr *Transcript) WriteFile(path string) error {
	var b strings.Builder
	for _, c := range tr.Comments {
		b.WriteString("# " + c + "\n")
	}
	for _, c := range tr.Chunks {
		who := "peer"
		if c.FromClient == tr.OursClient {
			who = "ours"
		}
		if len(c.Data) == 0 {
			b.WriteString(who + " end\n")
			continue
		}
		b.WriteString(who + " " + hex.EncodeToString(c.Data) + "\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// ReadTranscript loads a transcript file; oursClient says which side our
// engine was.
func ReadTranscript(path string, oursClient bool) (*Transcript, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tr := &Transcript{OursClient: oursClient}
	for i, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if c, ok := strings.CutPrefix(line, "# "); ok {
			tr.Comments = append(tr.Comments, c)
			continue
		}
		who, data, _ := strings.Cut(line, " ")
		if who != "peer" && who != "ours" {
			return nil, fmt.Errorf("%s:%d: a chunk line starts with peer or ours", path, i+1)
		}
		chunk := Chunk{FromClient: (who == "ours") == oursClient}
		if data != "end" {
			if chunk.Data, err = hex.DecodeString(data); err != nil || len(chunk.Data) == 0 {
				return nil, fmt.Errorf("%s:%d: bad hex: %v", path, i+1, err)
			}
		}
		tr.Chunks = append(tr.Chunks, chunk)
	}
	return tr, nil
}

// Replay is a Transport that plays a transcript's peer chunks back and
// checks each write against the recorded one: run Exchange over it with a
// fresh engine configured as at recording time, then check Err.
type Replay struct {
	tr   *Transcript
	next int
	err  error
}

// NewReplay starts playing tr back.
func NewReplay(tr *Transcript) *Replay { return &Replay{tr: tr} }

// Read returns the next peer chunk; an "end" chunk, or running out, ends
// reading. Recorded writes not yet made before it are a mismatch.
func (r *Replay) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.next < len(r.tr.Chunks) && r.ours(r.tr.Chunks[r.next]) {
		r.err = fmt.Errorf("chunk %d: the engine read where the recording has it write %d bytes", r.next, len(r.tr.Chunks[r.next].Data))
		return 0, r.err
	}
	if r.next == len(r.tr.Chunks) {
		return 0, io.EOF
	}
	c := r.tr.Chunks[r.next]
	r.next++
	if len(c.Data) == 0 {
		return 0, io.EOF
	}
	if len(p) < len(c.Data) {
		r.err = fmt.Errorf("chunk %d: %d bytes do not fit a read of %d", r.next-1, len(c.Data), len(p))
		return 0, r.err
	}
	return copy(p, c.Data), nil
}

// Write checks p against the next recorded write.
func (r *Replay) Write(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	switch {
	case r.next == len(r.tr.Chunks) || !r.ours(r.tr.Chunks[r.next]):
		r.err = fmt.Errorf("chunk %d: the engine wrote %d bytes the recording does not have (%x)", r.next, len(p), p[:min(len(p), 16)])
	case !bytes.Equal(p, r.tr.Chunks[r.next].Data):
		want := r.tr.Chunks[r.next].Data
		i := 0
		for i < min(len(p), len(want)) && p[i] == want[i] {
			i++
		}
		r.err = fmt.Errorf("chunk %d: the engine wrote %d bytes that differ from the recorded %d at byte %d", r.next, len(p), len(want), i)
	default:
		r.next++
		return len(p), nil
	}
	return 0, r.err
}

// Err is the first difference from the recording, or an error when the
// recording was not played to its end.
func (r *Replay) Err() error {
	if r.err == nil && r.next != len(r.tr.Chunks) {
		return errors.New("the replay stopped at chunk " + fmt.Sprint(r.next) + " of " + fmt.Sprint(len(r.tr.Chunks)))
	}
	return r.err
}

func (r *Replay) ours(c Chunk) bool { return c.FromClient == r.tr.OursClient }

// SetDeadline does nothing: a replay never waits.
func (r *Replay) SetDeadline(time.Time) error { return nil }

// SetReadDeadline does nothing: a replay never waits.
func (r *Replay) SetReadDeadline(time.Time) error { return nil }

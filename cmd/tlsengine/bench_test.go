package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestBenchCommand runs one fast case with a tiny time and checks the
// output's shape (never the figures).
func TestBenchCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := benchMain(context.Background(), []string{"-time", "1ms", "-run", "bulk ECDHE-ECDSA-AES128-GCM-SHA256 1 KiB", "-json"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var row map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &row); err != nil {
		t.Fatalf("%q: %v", out.String(), err)
	}
	if !strings.HasPrefix(row["case"].(string), "bulk ECDHE-ECDSA-AES128-GCM-SHA256 1 KiB") || row["ratio"] == nil || row["floor_ratio"] == nil {
		t.Fatalf("row %v", row)
	}
	if code := benchMain(context.Background(), []string{"-run", "no such case"}, &out, &errb); code != 2 {
		t.Fatalf("unmatched -run: exit %d", code)
	}
}

package stream

import (
	"context"
	"testing"
	"time"
)

func batchOfSeqs(seqs ...string) Batch {
	b := Batch{ShardID: "s1"}
	for _, s := range seqs {
		b.Records = append(b.Records, Record{SequenceNumber: s})
	}
	return b
}

func TestAckWindowCheckpointsAckedPrefix(t *testing.T) {
	store := &MemoryCheckpoints{}
	w := newAckWindow(3)
	ctx := context.Background()
	a1 := w.add(store, batchOfSeqs("1", "2"))
	a2 := w.add(store, batchOfSeqs("3"))
	a3 := w.add(store, batchOfSeqs("4", "5"))
	steps := []struct {
		ack  AckFunc
		want string
	}{
		{a2, ""},  // 1 not acked: nothing may be checkpointed
		{a3, ""},  // still waiting for 1
		{a1, "5"}, // 1, 2, 3 all done: checkpoint at the end of the third
	}
	for i, s := range steps {
		if err := s.ack(ctx); err != nil {
			t.Fatal(err)
		}
		got, _, _ := store.Get("s1")
		if got != s.want {
			t.Errorf("after ack %d: checkpoint = %q; want %q", i+1, got, s.want)
		}
	}
	if !w.waitEmpty(ctx) {
		t.Error("window not empty after every ack")
	}
}

func TestAckWindowWaitRoom(t *testing.T) {
	w := newAckWindow(2)
	acks := []AckFunc{w.add(nil, batchOfSeqs("1")), w.add(nil, batchOfSeqs("2"))}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if w.waitRoom(ctx) {
		t.Fatal("waitRoom returned with 2 of 2 batches in flight")
	}
	done := make(chan bool)
	go func() { done <- w.waitRoom(context.Background()) }()
	// An ack out of order frees no slot: the window counts everything after the acked prefix.
	if err := acks[1](context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
		t.Fatal("waitRoom returned while the first batch is unacked and the window is full")
	case <-time.After(20 * time.Millisecond):
	}
	if err := acks[0](context.Background()); err != nil {
		t.Fatal(err)
	}
	if !<-done {
		t.Error("waitRoom = false after the acks")
	}
}

func TestAckWindowAckTwice(t *testing.T) {
	store := &MemoryCheckpoints{}
	w := newAckWindow(1)
	ack := w.add(store, batchOfSeqs("7"))
	for i := range 2 {
		if err := ack(context.Background()); err != nil {
			t.Fatalf("ack %d: %v", i+1, err)
		}
	}
	if got, _, _ := store.Get("s1"); got != "7" {
		t.Errorf("checkpoint = %q; want 7", got)
	}
}

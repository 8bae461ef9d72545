package dispatch

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/dialing"
)

func TestRetryPolicy(t *testing.T) {
	ended := time.Date(2026, 12, 7, 11, 0, 0, 0, time.UTC)
	cases := []struct {
		result  dialing.Result
		attempt int
		want    time.Duration
		retried bool
	}{
		{dialing.Busy, 1, 10 * time.Minute, true},
		{dialing.NoAnswer, 2, 2 * time.Hour, true},
		{dialing.Machine, 1, 24 * time.Hour, true},
		{dialing.Answered, 1, 0, false},
		{dialing.NoAnswer, DefaultRetry.MaxAttempts, 0, false},
	}
	for _, c := range cases {
		at, ok := DefaultRetry.Next(c.result, c.attempt, ended)
		if ok != c.retried || (ok && at.Sub(ended) != c.want) {
			t.Errorf("%s after call %d: got %v, %v; want retried=%v after %v", c.result, c.attempt, at, ok, c.retried, c.want)
		}
	}
}

func TestSplitterDealsByWeightEvenly(t *testing.T) {
	a, b := Share{ContractID: uuid.New(), Weight: 3}, Share{ContractID: uuid.New(), Weight: 1}
	s := NewSplitter([]Share{a, b})
	got := map[uuid.UUID]int{}
	for i := range 400 {
		got[s.Next().ContractID]++
		if i == 3 && got[b.ContractID] != 1 {
			t.Fatalf("the first four leads should hold one for the smaller share, got %v", got)
		}
	}
	if got[a.ContractID] != 300 || got[b.ContractID] != 100 {
		t.Fatalf("400 leads over weights 3:1 = %v, want 300 and 100", got)
	}
}

func TestSplitterCountsAZeroWeightAsOne(t *testing.T) {
	s := NewSplitter([]Share{{ContractID: uuid.New()}, {ContractID: uuid.New()}})
	first, second := s.Next(), s.Next()
	if first.ContractID == second.ContractID {
		t.Fatal("two contracts without weights should alternate")
	}
}

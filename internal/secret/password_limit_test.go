package secret

import (
	"testing"
	"time"
)

// TestPasswordChecksQueue holds every argon2id slot and checks that a
// password check waits for one instead of running beside the others.
func TestPasswordChecksQueue(t *testing.T) {
	hash := HashPassword("correct horse battery staple")
	for range cap(argonSlots) {
		argonSlots <- struct{}{}
	}
	done := make(chan bool)
	go func() {
		ok, _ := CheckPassword(hash, "correct horse battery staple")
		done <- ok
	}()
	select {
	case <-done:
		t.Fatal("a password check ran while every argon2id slot was taken")
	case <-time.After(100 * time.Millisecond):
	}
	<-argonSlots // free one slot
	if ok := <-done; !ok {
		t.Error("the queued check did not accept the right password")
	}
	for range cap(argonSlots) - 1 {
		<-argonSlots
	}
}

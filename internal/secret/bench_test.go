package secret

import "testing"

// BenchmarkCheckPassword is the machine's argon2id rate at the login
// parameters (19 MiB, t=2, p=1) with every core busy: the ceiling of the
// login scenario (BENCHMARKS.md). Run it with -cpu equal to the cores.
func BenchmarkCheckPassword(b *testing.B) {
	hash := HashPassword("correct horse battery staple")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, err := CheckPassword(hash, "correct horse battery staple"); !ok || err != nil {
				b.Error("password refused")
				return
			}
		}
	})
}

// BenchmarkClientSecretVerify is the keyed hash that checks high-entropy
// client secrets (argon2id is for human passwords only).
func BenchmarkClientSecretVerify(b *testing.B) {
	cs, err := NewClientSecrets([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		b.Fatal(err)
	}
	h := cs.Hash("client-1", "a-long-random-client-secret-value-0123456789")
	b.ReportAllocs()
	for b.Loop() {
		if !cs.Verify("client-1", "a-long-random-client-secret-value-0123456789", h) {
			b.Fatal("secret refused")
		}
	}
}

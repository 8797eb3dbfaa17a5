package loadgen_test

import (
	"context"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/loadgen"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// TestSmoke runs every scenario briefly against a real server and wants
// operations and no errors. It asserts correctness, not speed.
func TestSmoke(t *testing.T) {
	env := servertest.New(t, servertest.Options{})
	ctx := context.Background()
	creds, err := loadgen.Seed(ctx, env.Admin, loadgen.SeedOptions{Users: 2})
	if err != nil {
		t.Fatal(err)
	}
	client := env.Server.Client()
	disc, err := loadgen.Discover(ctx, client, env.URL)
	if err != nil {
		t.Fatal(err)
	}
	resourceURL, stop, err := loadgen.StartResource(ctx, disc.Issuer, disc.Issuer, client)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	target := &loadgen.Target{Discovery: disc, Creds: creds, Transport: client.Transport, ResourceURL: resourceURL}
	for _, sc := range loadgen.Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			res, err := loadgen.Run(ctx, sc, target, loadgen.Options{
				Concurrency: 2, Count: 3,
				Sampler: loadgen.MetricsSampler{URL: env.URL + "/metrics", Client: client},
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.ErrorCount() != 0 {
				t.Errorf("errors: %v", res.Errors)
			}
			if res.OK != 6 {
				t.Errorf("%d operations succeeded, want 2 workers × 3", res.OK)
			}
			if res.SamplerErr != nil || !res.CPUKnown {
				t.Errorf("server CPU not measured: %v", res.SamplerErr)
			}
			if res.OK > 0 && res.Latency.P50 > res.Latency.Max {
				t.Errorf("p50 %v above max %v", res.Latency.P50, res.Latency.Max)
			}
		})
	}
}

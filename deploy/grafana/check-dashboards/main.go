// Command check-dashboards decodes Grafana dashboard JSON files strictly with the dashboard and
// panel types of the Grafana Foundation SDK, then runs the SDK's validation. A field that Grafana's
// schema does not define, a value of the wrong type or a missing required field fails the check.
// scripts/check-deploy builds and runs it.
//
// Usage: check-dashboards FILE.json...
package main

import (
	"fmt"
	"os"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: check-dashboards FILE.json...")
		os.Exit(2)
	}

	// Registers the panel and data source types, so that panel options and queries are decoded
	// with their own schemas.
	plugins.RegisterDefaultPlugins()

	invalid := 0
	for _, path := range os.Args[1:] {
		if err := checkDashboard(path); err != nil {
			fmt.Printf("%s: %v\n", path, err)
			invalid++
			continue
		}
		fmt.Printf("%s: valid\n", path)
	}
	if invalid > 0 {
		os.Exit(1)
	}
}

func checkDashboard(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}

	var board dashboard.Dashboard
	if err := board.UnmarshalJSONStrict(raw); failed(err) {
		return fmt.Errorf("does not match the Grafana dashboard schema:\n%w", err)
	}
	if err := board.Validate(); failed(err) {
		return fmt.Errorf("failed validation:\n%w", err)
	}
	return nil
}

// failed reports whether err is a real error. The SDK returns its error list type even when the
// list is empty, which is a non-nil error value that carries no error.
func failed(err error) bool {
	if list, ok := err.(cog.BuildErrors); ok {
		return len(list) > 0
	}
	return err != nil
}

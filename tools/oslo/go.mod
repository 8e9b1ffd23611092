module observability/tools/oslo

go 1.24

tool github.com/OpenSLO/oslo/cmd/oslo

require (
	github.com/OpenSLO/go-sdk v0.6.2 // indirect
	github.com/OpenSLO/oslo v0.13.0 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/nobl9/govy v0.19.1 // indirect
	github.com/spf13/cobra v1.9.1 // indirect
	github.com/spf13/pflag v1.0.6 // indirect
	go.yaml.in/yaml/v2 v2.4.2 // indirect
	golang.org/x/mod v0.25.0 // indirect
	golang.org/x/sync v0.15.0 // indirect
	golang.org/x/tools v0.34.0 // indirect
	sigs.k8s.io/yaml v1.5.0 // indirect
)

// Package client starts the tracer a tracing configuration names. This build starts OTLP, the
// protocol of the stack's trace pipeline (the OpenTelemetry Collector), in place of the release's
// every exporter: the stack configures none of the Google Cloud, Jaeger, Elastic APM and Lightstep
// clients. Any other type is refused at start, with the release's own error.
package client

import (
	"context"
	"io"
	"strings"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/opentracing/opentracing-go"
	"github.com/pkg/errors"
	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v2"

	"github.com/thanos-io/thanos/pkg/tracing/migration"
	"github.com/thanos-io/thanos/pkg/tracing/otlp"
)

// TracingProvider names a tracer in a tracing configuration.
type TracingProvider string

// The tracer this build starts.
const OpenTelemetryProtocol TracingProvider = "OTLP"

// TracingConfig is a tracing configuration file: the tracer and its settings.
type TracingConfig struct {
	Type   TracingProvider `yaml:"type"`
	Config any             `yaml:"config"`
}

// NewTracer starts the tracer a configuration file describes.
func NewTracer(ctx context.Context, logger log.Logger, metrics *prometheus.Registry, confContentYaml []byte) (opentracing.Tracer, io.Closer, error) {
	level.Info(logger).Log("msg", "loading tracing configuration")
	tracingConf := &TracingConfig{}
	if err := yaml.UnmarshalStrict(confContentYaml, tracingConf); err != nil {
		return nil, nil, errors.Wrap(err, "parsing config tracing YAML")
	}
	var config []byte
	if tracingConf.Config != nil {
		var err error
		if config, err = yaml.Marshal(tracingConf.Config); err != nil {
			return nil, nil, errors.Wrap(err, "marshal content of tracing configuration")
		}
	}
	if strings.ToUpper(string(tracingConf.Type)) != string(OpenTelemetryProtocol) {
		return nil, nil, errors.Errorf("tracing with type %s is not supported", tracingConf.Type)
	}
	tracerProvider, err := otlp.NewTracerProvider(ctx, logger, config)
	if err != nil {
		return nil, nil, errors.Wrap(err, "new tracer provider err")
	}
	tracer, closerFunc := migration.Bridge(tracerProvider, logger)
	return tracer, closerFunc, nil
}

// NoopTracer is the tracer when none is configured.
func NoopTracer() opentracing.Tracer {
	return &opentracing.NoopTracer{}
}

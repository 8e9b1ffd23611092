// Command otlp-sink stands where Tempo would in the component tests: Tempo 2.x cannot be built
// from the module proxy here. It accepts OTLP traces over gRPC, as the collector's `otlp/tempo`
// exporter sends them, keeps every span in memory, and answers over HTTP:
//
//	GET /traces/{traceId}  the trace's spans with their resource and span attributes, 404 if none
//	GET /traces            the IDs of every trace received
//
// Usage: otlp-sink -grpc 127.0.0.1:PORT -http 127.0.0.1:PORT
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"net"
	"net/http"
	"sort"
	"sync"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	// The collector's otlp exporter compresses with gzip by default, as it does towards Tempo.
	_ "google.golang.org/grpc/encoding/gzip"
)

type span struct {
	Name               string         `json:"name"`
	SpanID             string         `json:"spanId"`
	Status             string         `json:"status"`
	DurationNanos      uint64         `json:"durationNanos"`
	ResourceAttributes map[string]any `json:"resourceAttributes"`
	Attributes         map[string]any `json:"attributes"`
}

type store struct {
	ptraceotlp.UnimplementedGRPCServer
	mu     sync.Mutex
	traces map[string][]span
}

func (s *store) Export(_ context.Context, request ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	resourceSpans := request.Traces().ResourceSpans()
	for i := 0; i < resourceSpans.Len(); i++ {
		rs := resourceSpans.At(i)
		resource := rs.Resource().Attributes().AsRaw()
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			spans := rs.ScopeSpans().At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				sp := spans.At(k)
				id := sp.TraceID().String()
				s.traces[id] = append(s.traces[id], span{
					Name:               sp.Name(),
					SpanID:             sp.SpanID().String(),
					Status:             sp.Status().Code().String(),
					DurationNanos:      uint64(sp.EndTimestamp() - sp.StartTimestamp()),
					ResourceAttributes: resource,
					Attributes:         sp.Attributes().AsRaw(),
				})
			}
		}
	}
	return ptraceotlp.NewExportResponse(), nil
}

func (s *store) serveHTTP(mux *http.ServeMux) {
	mux.HandleFunc("GET /traces", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		ids := make([]string, 0, len(s.traces))
		for id := range s.traces {
			ids = append(ids, id)
		}
		s.mu.Unlock()
		sort.Strings(ids)
		writeJSON(w, ids)
	})
	mux.HandleFunc("GET /traces/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		spans, ok := s.traces[r.PathValue("id")]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, spans)
	})
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
}

func writeJSON(w http.ResponseWriter, value any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(value); err != nil {
		log.Print(err)
	}
}

func main() {
	grpcAddress := flag.String("grpc", "127.0.0.1:4317", "OTLP gRPC listen address")
	httpAddress := flag.String("http", "127.0.0.1:3200", "query listen address")
	flag.Parse()

	s := &store{traces: map[string][]span{}}
	listener, err := net.Listen("tcp", *grpcAddress)
	if err != nil {
		log.Fatal(err)
	}
	server := grpc.NewServer()
	ptraceotlp.RegisterGRPCServer(server, s)
	go func() { log.Fatal(server.Serve(listener)) }()

	mux := http.NewServeMux()
	s.serveHTTP(mux)
	log.Fatal(http.ListenAndServe(*httpAddress, mux))
}

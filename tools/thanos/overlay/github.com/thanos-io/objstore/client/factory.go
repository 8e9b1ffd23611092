// Package client opens the object storage a bucket configuration names. This build opens the
// kinds the stack and its tests use, S3 (Thanos' bucket on prod) and FILESYSTEM (the tests' local
// buckets), in place of the release's every provider, whose cloud SDKs (Google Cloud Storage,
// Azure and the others, with their gRPC and auth stacks) the stack never runs. Any other type is
// refused when the bucket is opened, with the release's own error.
package client

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/pkg/errors"
	"github.com/thanos-io/objstore"
	"github.com/thanos-io/objstore/providers/filesystem"
	"github.com/thanos-io/objstore/providers/s3"
	"gopkg.in/yaml.v2"
)

// BucketConfig is a bucket configuration file: the provider, its settings and a key prefix.
type BucketConfig struct {
	Type   objstore.ObjProvider `yaml:"type"`
	Config interface{}          `yaml:"config"`
	Prefix string               `yaml:"prefix" default:""`
}

// NewBucket opens the bucket a configuration file describes.
func NewBucket(logger log.Logger, confContentYaml []byte, component string, wrapRoundtripper func(http.RoundTripper) http.RoundTripper) (objstore.Bucket, error) {
	level.Info(logger).Log("msg", "loading bucket configuration")
	bucketConf := &BucketConfig{}
	if err := yaml.UnmarshalStrict(confContentYaml, bucketConf); err != nil {
		return nil, errors.Wrap(err, "parsing config YAML file")
	}
	return NewBucketFromConfig(logger, bucketConf, component, wrapRoundtripper)
}

// NewBucketFromConfig opens the bucket a parsed configuration describes.
func NewBucketFromConfig(logger log.Logger, bucketConf *BucketConfig, component string, wrapRoundtripper func(http.RoundTripper) http.RoundTripper) (objstore.Bucket, error) {
	config, err := yaml.Marshal(bucketConf.Config)
	if err != nil {
		return nil, errors.Wrap(err, "marshal content of bucket configuration")
	}
	var bucket objstore.Bucket
	switch strings.ToUpper(string(bucketConf.Type)) {
	case string(objstore.S3):
		bucket, err = s3.NewBucket(logger, config, component, wrapRoundtripper)
	case string(objstore.FILESYSTEM):
		bucket, err = filesystem.NewBucketFromConfig(config)
	default:
		return nil, errors.Errorf("bucket with type %s is not supported", bucketConf.Type)
	}
	if err != nil {
		return nil, errors.Wrap(err, fmt.Sprintf("create %s client", bucketConf.Type))
	}
	return objstore.NewPrefixedBucket(bucket, bucketConf.Prefix), nil
}

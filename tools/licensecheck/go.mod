module observability/tools/licensecheck

go 1.26.5

require github.com/google/licensecheck v0.3.1

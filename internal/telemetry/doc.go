// Package telemetry holds the module's OpenTelemetry instruments: their
// names, units and attributes in one place, so that the packages that
// record them (detect/ortdetect, deploy, deploy/reload, the detect-server
// example) agree. It has no global state: every constructor takes a
// metric.MeterProvider, and a nil provider gives a nil value whose methods
// do nothing, so that a program without metrics pays one nil check per
// call.
//
// The instruments:
//
//	modelreg.detect.duration        histogram (s)   model, stage (decode, pre, run, post)
//	modelreg.detect.sessions.busy   up-down counter model
//	modelreg.download.bytes         counter (By)    model
//	modelreg.download.retries       counter         model
//	modelreg.download.failures      counter         model
//	modelreg.reload.count           counter         model, result (success, failure)
//	modelreg.model.served           gauge (1)       model, version
package telemetry

package ort

// RegisteredLoggers returns the number of Loggers the log callback can
// dispatch to: one per open environment that was created with one.
func RegisteredLoggers() int { return registeredLoggers() }

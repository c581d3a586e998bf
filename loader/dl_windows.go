//go:build windows

package loader

import "syscall"

func dlopen(path string) (uintptr, error) {
	h, err := syscall.LoadLibrary(path)
	return uintptr(h), err
}

func dlsym(h uintptr, name string) (uintptr, error) {
	return syscall.GetProcAddress(syscall.Handle(h), name)
}

func dlclose(h uintptr) { _ = syscall.FreeLibrary(syscall.Handle(h)) }

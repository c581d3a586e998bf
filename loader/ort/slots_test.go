package ort

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unsafe"

	"github.com/modelreg/modelreg/internal/orttest"
	"github.com/modelreg/modelreg/loader"
)

// slotNames pairs every slot the binding uses with its name in struct OrtApi.
var slotNames = map[int]string{
	slotGetErrorCode: "GetErrorCode", slotGetErrorMessage: "GetErrorMessage", slotCreateEnv: "CreateEnv",
	slotCreateEnvWithCustomLogger: "CreateEnvWithCustomLogger", slotCreateSessionFromArray: "CreateSessionFromArray",
	slotRun: "Run", slotCreateSessionOptions: "CreateSessionOptions",
	slotSetOptimizedModelFilePath: "SetOptimizedModelFilePath", slotSetSessionExecutionMode: "SetSessionExecutionMode",
	slotEnableMemPattern: "EnableMemPattern", slotDisableMemPattern: "DisableMemPattern",
	slotSetSessionGraphOptimization: "SetSessionGraphOptimizationLevel",
	slotSetIntraOpNumThreads:        "SetIntraOpNumThreads", slotSetInterOpNumThreads: "SetInterOpNumThreads",
	slotSessionGetInputCount: "SessionGetInputCount", slotSessionGetOutputCount: "SessionGetOutputCount",
	slotSessionGetInputTypeInfo: "SessionGetInputTypeInfo", slotSessionGetOutputTypeInfo: "SessionGetOutputTypeInfo",
	slotSessionGetInputName: "SessionGetInputName", slotSessionGetOutputName: "SessionGetOutputName",
	slotCreateRunOptions: "CreateRunOptions", slotRunOptionsSetTerminate: "RunOptionsSetTerminate",
	slotRunOptionsUnsetTerminate:       "RunOptionsUnsetTerminate",
	slotCreateTensorWithDataAsOrtValue: "CreateTensorWithDataAsOrtValue", slotGetTensorMutableData: "GetTensorMutableData",
	slotCastTypeInfoToTensorInfo: "CastTypeInfoToTensorInfo", slotGetOnnxTypeFromTypeInfo: "GetOnnxTypeFromTypeInfo",
	slotGetTensorElementType: "GetTensorElementType", slotGetDimensionsCount: "GetDimensionsCount",
	slotGetDimensions: "GetDimensions", slotGetTensorShapeElementCount: "GetTensorShapeElementCount",
	slotGetTensorTypeAndShape: "GetTensorTypeAndShape", slotCreateCPUMemoryInfo: "CreateCpuMemoryInfo",
	slotAllocatorFree: "AllocatorFree", slotGetAllocatorWithDefaultOptions: "GetAllocatorWithDefaultOptions",
	slotReleaseEnv: "ReleaseEnv", slotReleaseStatus: "ReleaseStatus", slotReleaseMemoryInfo: "ReleaseMemoryInfo",
	slotReleaseSession: "ReleaseSession", slotReleaseValue: "ReleaseValue", slotReleaseRunOptions: "ReleaseRunOptions",
	slotReleaseTypeInfo: "ReleaseTypeInfo", slotReleaseTensorTypeAndShapeInfo: "ReleaseTensorTypeAndShapeInfo",
	slotReleaseSessionOptions: "ReleaseSessionOptions", slotGetAvailableProviders: "GetAvailableProviders",
	slotReleaseAvailableProviders: "ReleaseAvailableProviders", slotAddSessionConfigEntry: "AddSessionConfigEntry",
	slotAppendTensorRTV2:               "SessionOptionsAppendExecutionProvider_TensorRT_V2",
	slotCreateTensorRTProviderOptions:  "CreateTensorRTProviderOptions",
	slotUpdateTensorRTProviderOptions:  "UpdateTensorRTProviderOptions",
	slotReleaseTensorRTProviderOptions: "ReleaseTensorRTProviderOptions",
	slotAppendCUDAV2:                   "SessionOptionsAppendExecutionProvider_CUDA_V2",
	slotCreateCUDAProviderOptions:      "CreateCUDAProviderOptions", slotUpdateCUDAProviderOptions: "UpdateCUDAProviderOptions",
	slotReleaseCUDAProviderOptions: "ReleaseCUDAProviderOptions",
	slotAppendExecutionProvider:    "SessionOptionsAppendExecutionProvider", slotGetBuildInfoString: "GetBuildInfoString",
	slotSessionGetEpGraphAssignmentInfo: "Session_GetEpGraphAssignmentInfo",
	slotEpAssignedSubgraphGetEpName:     "EpAssignedSubgraph_GetEpName",
}

// TestSlotsMatchHeader recounts struct OrtApi in onnxruntime_c_api.h (from
// the module cache copy of github.com/yalue/onnxruntime_go) and checks every
// slot constant against it.
func TestSlotsMatchHeader(t *testing.T) {
	names := headerSlots(t)
	if len(names) < 415 || names[0] != "CreateStatus" {
		t.Fatalf("parsed %d OrtApi members starting with %q; want >= 415 (API 24) starting with CreateStatus", len(names), names[0])
	}
	for slot, name := range slotNames {
		if slot >= len(names) || names[slot] != name {
			got := "past the end"
			if slot < len(names) {
				got = names[slot]
			}
			t.Errorf("slot %d is %s; want %s", slot, got, name)
		}
	}
}

// headerSlots returns the OrtApi member names in order, from the C API
// header that ships in the onnxruntime_go module (downloaded if needed).
func headerSlots(t *testing.T) []string {
	t.Helper()
	const mod = "github.com/yalue/onnxruntime_go@v1.27.0"
	out, err := exec.Command("go", "mod", "download", "-json", mod).Output()
	var info struct{ Dir string }
	if err == nil {
		err = json.Unmarshal(out, &info)
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("go mod download %s: %v", mod, err)
		}
		t.Skipf("cannot get the C API header (go mod download %s): %v", mod, err)
	}
	src, err := os.ReadFile(filepath.Join(info.Dir, "onnxruntime_c_api.h"))
	if err != nil {
		t.Fatal(err)
	}
	body := string(src)
	body = body[strings.Index(body, "\nstruct OrtApi {"):]
	body = body[:strings.Index(body, "\n};")]
	body = regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`).ReplaceAllString(body, "")
	member := regexp.MustCompile(`ORT_API_CALL\s*\*\s*(\w+)\s*\)|^\s*ORT_API2_STATUS\(\s*(\w+)|^\s*ORT_CLASS_RELEASE2?\(\s*(\w+)|^\s*ORT_API_T\([^,]+,\s*(\w+)`)
	var names []string
	for _, stmt := range strings.Split(body[strings.Index(body, "{")+1:], ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		m := member.FindStringSubmatch(stmt)
		switch {
		case m == nil:
			t.Fatalf("cannot parse OrtApi member %q", stmt)
		case m[3] != "":
			names = append(names, "Release"+m[3])
		default:
			names = append(names, m[1]+m[2]+m[4])
		}
	}
	return names
}

// TestStatusRoundTrip checks slots 0–2 and ReleaseStatus against the library:
// CreateStatus, then GetErrorCode and GetErrorMessage.
func TestStatusRoundTrip(t *testing.T) {
	a := newAPI(testLibrary(t))
	msg := cString("slot check")
	st := a.callVoid(0, uintptr(CodeInvalidGraph), uintptr(unsafe.Pointer(&msg[0]))) // CreateStatus
	err := a.statusError("CreateStatus", st)
	want := &Error{Op: "CreateStatus", Code: CodeInvalidGraph, Message: "slot check"}
	if e, ok := err.(*Error); !ok || *e != *want {
		t.Fatalf("status = %#v; want %#v", err, want)
	}
	if bi := goString(a.callVoid(slotGetBuildInfoString)); !strings.HasPrefix(bi, "ORT Build Info") {
		t.Errorf("GetBuildInfoString = %q; want ORT Build Info…", bi)
	}
}

// TestLayout checks the sizes that the binding assumes when it passes Go
// memory to C: pointers and size_t are uintptr, C enums are 32-bit, and the
// element sizes match the Go types.
func TestLayout(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != unsafe.Sizeof(unsafe.Pointer(nil)) {
		t.Error("uintptr and pointers differ in size")
	}
	if unsafe.Sizeof(ElementType(0)) != 4 || unsafe.Sizeof(ErrorCode(0)) != 4 {
		t.Error("C enums are 32-bit")
	}
	if unsafe.Sizeof(IOInfo{}.Shape[0]) != 8 {
		t.Error("int64_t dimensions")
	}
	sizes := []struct {
		t    ElementType
		size uintptr
	}{{elementTypeOf[float32](), 4}, {elementTypeOf[float64](), 8}, {elementTypeOf[uint8](), 1},
		{elementTypeOf[int8](), 1}, {elementTypeOf[int16](), 2}, {elementTypeOf[uint16](), 2},
		{elementTypeOf[int32](), 4}, {elementTypeOf[uint32](), 4}, {elementTypeOf[int64](), 8}, {elementTypeOf[uint64](), 8}}
	for _, s := range sizes {
		if got := uintptr(elementSize(s.t)); got != s.size {
			t.Errorf("elementSize(%v) = %d; want %d", s.t, got, s.size)
		}
	}
}

func testLibrary(t *testing.T) *loader.Library {
	t.Helper()
	return orttest.Library(t)
}

// TestAssignedProviders checks that ONNX Runtime 1.24+ reports where it
// placed the nodes (Session_GetEpGraphAssignmentInfo, slots 407–408).
func TestAssignedProviders(t *testing.T) {
	lib := testLibrary(t)
	if lib.APIVersion() < apiVersionEpAssignment {
		t.Skipf("API version %d < %d", lib.APIVersion(), apiVersionEpAssignment)
	}
	env, err := NewEnv(lib, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	model, err := os.ReadFile("../../catalog/models/yolox-nano-coco/yolox_nano.onnx")
	if err != nil {
		t.Fatal(err)
	}
	s, err := env.NewSession(model, &SessionOptions{IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.assignedProviders()
	if err != nil || len(got) != 1 || got[0] != CPU {
		t.Fatalf("assignedProviders = %v, %v; want [%s]", got, err, CPU)
	}
}

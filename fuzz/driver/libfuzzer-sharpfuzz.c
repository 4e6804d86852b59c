// libFuzzer front end for a .NET target run with SharpFuzz's Fuzzer.LibFuzzer.Run.
//
// libFuzzer lives in this (native) process and mutates inputs; the .NET target runs in a child
// process. They talk over SharpFuzz's IPC: one System V shared-memory segment holding the 64 KiB
// edge-coverage map that SharpFuzz's instrumentation writes, followed by the input; a control
// pipe (fd 198) on which we send the input's length; a status pipe (fd 199) on which the child
// answers 0 (ran) or non-zero (threw). The map is copied into libFuzzer's extra-counters section
// after each run, so libFuzzer sees the .NET code's coverage as its own.
//
// Flags (mixed with libFuzzer's own, which ignores unknown ones given as --name=value):
//   --target_path=PATH   the .NET executable        --target_arg=ARG   one argument for it
// Written for Portcullis (fuzz/run.sh); build: clang -O1 -fsanitize=fuzzer libfuzzer-sharpfuzz.c
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>

enum { COVERAGE_BYTES = 1 << 16, INPUT_BYTES = 1 << 20, CONTROL_FD = 198, STATUS_FD = 199 };

__attribute__((section("__libfuzzer_extra_counters"))) uint8_t dotnet_coverage[COVERAGE_BYTES];

static uint8_t *shared;
static int shm_id = -1;
static int control = -1, status = -1;
static pid_t child;

static void fail(const char *what)
{
    fprintf(stderr, "libfuzzer-sharpfuzz: %s: %s\n", what, errno ? strerror(errno) : "unexpected");
    exit(1);
}

static void cleanup(void)
{
    if (shm_id >= 0) shmctl(shm_id, IPC_RMID, NULL);
    if (child > 0) kill(child, SIGKILL);
}

static const char *flag(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=' && argv[i][n + 1]) return argv[i] + n + 1;
    return NULL;
}

static void read_exact(int fd, void *buffer, size_t size)
{
    size_t done = 0;
    while (done < size) {
        ssize_t r = read(fd, (char *)buffer + done, size - done);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) { errno = 0; fail("the .NET process exited (it crashed outside the fuzzed code, or ran out of memory)"); }
        if (r < 0) fail("read from status pipe");
        done += (size_t)r;
    }
}

static void write_exact(int fd, const void *buffer, size_t size)
{
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, (const char *)buffer + done, size - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) fail("write to control pipe");
        done += (size_t)w;
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *path = flag(*argc, *argv, "--target_path");
    const char *arg = flag(*argc, *argv, "--target_arg");
    if (!path) { errno = 0; fail("--target_path=PATH is required"); }

    int to_child[2], from_child[2];
    if (pipe(to_child) || pipe(from_child)) fail("pipe");
    shm_id = shmget(IPC_PRIVATE, COVERAGE_BYTES + INPUT_BYTES, IPC_CREAT | IPC_EXCL | 0600);
    if (shm_id < 0) fail("shmget");
    atexit(cleanup);
    shared = shmat(shm_id, NULL, 0);
    if (shared == (void *)-1) fail("shmat");

    child = fork();
    if (child < 0) fail("fork");
    if (child == 0) {
        char id[16];
        snprintf(id, sizeof id, "%d", shm_id);
        if (dup2(to_child[0], CONTROL_FD) < 0 || dup2(from_child[1], STATUS_FD) < 0) fail("dup2");
        close(to_child[0]); close(to_child[1]); close(from_child[0]); close(from_child[1]);
        setenv("__LIBFUZZER_SHM_ID", id, 1);
        setenv("__LIBFUZZER_CONTROL_PIPE_ID", "198", 1);
        setenv("__LIBFUZZER_STATUS_PIPE_ID", "199", 1);
        execl(path, path, arg, (char *)NULL);
        fail("exec of --target_path");
    }

    close(to_child[0]);
    close(from_child[1]);
    control = to_child[1];
    status = from_child[0];
    int32_t ready;
    read_exact(status, &ready, sizeof ready);   // the child says it is listening
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > INPUT_BYTES) return 0;           // run.sh passes -max_len well below this
    memset(shared, 0, COVERAGE_BYTES);
    memcpy(shared + COVERAGE_BYTES, data, size);
    int32_t length = (int32_t)size, result;
    write_exact(control, &length, sizeof length);
    read_exact(status, &result, sizeof result);
    memcpy(dotnet_coverage, shared, COVERAGE_BYTES);
    if (result != 0) {
        fprintf(stderr, "libfuzzer-sharpfuzz: the .NET target threw (its exception is printed above)\n");
        __builtin_trap();                        // libFuzzer saves the input as crash-<sha1>
    }
    return 0;
}

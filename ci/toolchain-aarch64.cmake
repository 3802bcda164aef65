# ci/toolchain-aarch64.cmake: cross-compiling tandem for aarch64 Linux with Debian's
# g++-aarch64-linux-gnu against the arm64 multiarch packages (docs/aarch64.md).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Libraries only from the arm64 multiarch directory (and the cross toolchain's own); headers
# and CMake package files of the arch-independent packages (nlohmann-json, CLI11, Catch2) live
# under /usr, so the root path also holds / with CMAKE_LIBRARY_ARCHITECTURE steering find_library
# to /usr/lib/aarch64-linux-gnu.
set(CMAKE_FIND_ROOT_PATH /usr/lib/aarch64-linux-gnu /usr/aarch64-linux-gnu /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config must read the arm64 .pc files, never the host's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# ctest and catch_discover_tests run the test binaries through qemu-user (binfmt_misc may not be
# registered). The CPU model is the one Unicorn is pinned to (jit/a64/executor_unicorn_a64.cc).
# TANDEM_QEMU: the qemu-aarch64 binary (ci/aarch64.sh passes a qemu >= 8; see docs/aarch64.md).
# No -L prefix: the dynamic loader and libraries come from the arm64 multiarch packages (libc6:arm64
# installs /lib/ld-linux-aarch64.so.1), and with -L a forked child hangs in qemu before it runs.
set(TANDEM_QEMU qemu-aarch64-static CACHE STRING "qemu-user binary that runs aarch64 programs")
set(CMAKE_CROSSCOMPILING_EMULATOR ${TANDEM_QEMU};-cpu;cortex-a72)

# Install and packaging, included by the top CMakeLists.txt.
#
#   <prefix>/bin/kmem                          the command (no shared-library
#                                              dependency on libkmem: it runs from
#                                              any directory)
#   <prefix>/include/kmem-kernel/              the headers (so <linux/slab.h>
#                                              does not collide with the system's
#                                              kernel UAPI headers)
#   <prefix>/lib/libkmem.so.0, libkmem.a       the libraries (the .deb: in
#                                              /usr/lib/<multiarch triplet>)
#   <prefix>/lib/pkgconfig/kmem.pc             pkg-config (relocatable)
#   <prefix>/lib/cmake/kmem/                   find_package(kmem): kmem::kmem
#                                              (shared), kmem::kmem_static
#   <prefix>/share/man/man1/kmem.1, man3/kmem.3
#   <prefix>/share/kmem/                       example traces and the real
#                                              kernel's /proc snapshots, used by
#                                              the tour and `kmem replay`
# Every file is found relative to where it is installed, so
# `cmake --install build --prefix DIR` works for any DIR, and so does a .deb
# unpacked anywhere (`dpkg -x`). `make deb` (or `cpack -G DEB` in the build
# directory) builds the Debian package.
include(CMakePackageConfigHelpers)

# The library files (libraries, CMake package, kmem.pc) under `libdir`, as
# install component `component`. They are installed twice: under
# CMAKE_INSTALL_LIBDIR for `cmake --install` (component "lib"), and under
# Debian's multiarch directory lib/<triplet> (component "deblib", left out of
# `cmake --install`) for the .deb, since the package installs to /usr while the
# build was configured for /usr/local, where GNUInstallDirs says plain "lib".
function(kmem_install_libdir libdir component)
  set(cmakedir ${libdir}/cmake/kmem)
  set(gen ${CMAKE_BINARY_DIR}/install-${component})
  set(all "")
  if(component STREQUAL "deblib")
    set(all EXCLUDE_FROM_ALL)
  endif()
  install(TARGETS kmem_static kmem_shared EXPORT kmemTargets-${component}
          ARCHIVE DESTINATION ${libdir} COMPONENT ${component} ${all}
          LIBRARY DESTINATION ${libdir} COMPONENT ${component} ${all})
  install(EXPORT kmemTargets-${component} FILE kmemTargets.cmake NAMESPACE kmem::
          DESTINATION ${cmakedir} COMPONENT ${component} ${all})
  configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/kmemConfig.cmake.in
    ${gen}/kmemConfig.cmake INSTALL_DESTINATION ${cmakedir})
  install(FILES ${gen}/kmemConfig.cmake ${CMAKE_BINARY_DIR}/kmemConfigVersion.cmake
          DESTINATION ${cmakedir} COMPONENT ${component} ${all})
  # kmem.pc is relocatable: its prefix is found from where it is installed
  # (${pcfiledir}). Its Libs carry an rpath to the library directory, so a
  # program built with `cc app.c $(pkg-config --cflags --libs kmem)` starts
  # without LD_LIBRARY_PATH wherever the prefix is.
  file(RELATIVE_PATH KMEM_PC_RELPREFIX "/${libdir}/pkgconfig" "/")
  set(KMEM_PC_LIBDIR ${libdir})
  configure_file(${CMAKE_SOURCE_DIR}/scripts/kmem.pc.in ${gen}/kmem.pc @ONLY)
  install(FILES ${gen}/kmem.pc DESTINATION ${libdir}/pkgconfig
          COMPONENT ${component} ${all})
endfunction()

write_basic_package_version_file(${CMAKE_BINARY_DIR}/kmemConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
set(KMEM_PC_PRIVATE "-lpthread -ldl -lrt -lm")
if(LZMA_LIB AND LZMA_INC)
  string(APPEND KMEM_PC_PRIVATE " -llzma")
endif()
if(Z_LIB AND Z_INC)
  string(APPEND KMEM_PC_PRIVATE " -lz")
endif()
if(DW_LIB AND DW_INC)
  string(APPEND KMEM_PC_PRIVATE " -ldw")
endif()
kmem_install_libdir(${CMAKE_INSTALL_LIBDIR} lib)
# Debian's multiarch triplet (x86_64-linux-gnu): CMake's, else the compiler's.
set(KMEM_MULTIARCH "${CMAKE_LIBRARY_ARCHITECTURE}")
if(NOT KMEM_MULTIARCH)
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-multiarch
                  OUTPUT_VARIABLE KMEM_MULTIARCH OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET)
endif()
if(KMEM_MULTIARCH)
  set(KMEM_DEB_LIBDIR lib/${KMEM_MULTIARCH})
else()
  set(KMEM_DEB_LIBDIR lib)
endif()
kmem_install_libdir(${KMEM_DEB_LIBDIR} deblib)

install(TARGETS kmem_cmd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kmem-kernel)

# Man pages.
install(FILES ${CMAKE_SOURCE_DIR}/man/kmem.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/man/kmem.3 DESTINATION ${CMAKE_INSTALL_MANDIR}/man3)

# The example data: the small traces in each input format and the real 6.18
# kernel's trace and /proc snapshots (tests/data/README.md says where they
# come from). The command finds them at ../share/kmem from its own directory
# (tools/kmem/data.c).
install(FILES
  ${CMAKE_SOURCE_DIR}/tests/data/README.md
  ${CMAKE_SOURCE_DIR}/tests/data/trace-ftrace.txt
  ${CMAKE_SOURCE_DIR}/tests/data/trace-ftrace.txt.gz
  ${CMAKE_SOURCE_DIR}/tests/data/trace-ftrace.txt.xz
  ${CMAKE_SOURCE_DIR}/tests/data/trace-cmd-report.txt
  ${CMAKE_SOURCE_DIR}/tests/data/trace-perf-script.txt
  DESTINATION ${CMAKE_INSTALL_DATADIR}/kmem)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/tests/data/linux-6.18-x86_64
        DESTINATION ${CMAKE_INSTALL_DATADIR}/kmem)

# The Debian package: `make deb`, or `cpack -G DEB` in the build directory.
# One package, as a -dev package would be: headers, both libraries, kmem.pc,
# the CMake package, the command, the man pages and the example data.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kmem)
set(CPACK_PACKAGE_VENDOR "kmem")
set(CPACK_PACKAGE_CONTACT "kmem maintainers <kmem@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "the Linux kernel's memory allocators (buddy, SLUB, vmalloc) in user space")
set(CPACK_PACKAGE_DESCRIPTION
    "kmem runs the Linux kernel's memory allocation system (the buddy page allocator, the SLUB slab allocator and kmalloc, vmalloc, user address spaces with demand paging) as a C library on a simulated machine. This package holds the library (shared and static), its headers, kmem.pc and the CMake package, the kmem command (tour, show, replay, map), the man pages and example data.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Stripped, as Debian ships binaries (and much faster to compress).
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gcc | c-compiler, pkg-config")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "liblzma-dev, zlib1g-dev, libdw-dev, cmake")
# The package holds everything but the "lib" component: its libraries are
# the "deblib" ones, in /usr/lib/<multiarch triplet> as Debian lays them out.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL Unspecified deblib)
include(CPack)

# Included from tests/CMakeLists.txt: builds fuzz/ with clang as an external
# project and runs each target for PGCONN_FUZZ_SECONDS (default 10) under
# ctest, label "fuzz". Without clang++ there are no fuzz tests.
find_program(PGCONN_CLANGXX NAMES clang++ clang++-14)
if(PGCONN_CLANGXX)
  include(ExternalProject)
  ExternalProject_Add(fuzzers
    SOURCE_DIR ${PROJECT_SOURCE_DIR}/fuzz
    BINARY_DIR ${CMAKE_BINARY_DIR}/fuzz
    CMAKE_ARGS -DCMAKE_CXX_COMPILER=${PGCONN_CLANGXX} -DCMAKE_BUILD_TYPE=RelWithDebInfo
    INSTALL_COMMAND ""
    BUILD_ALWAYS ON)
  set(PGCONN_FUZZ_SECONDS 10 CACHE STRING "Seconds each fuzz target runs under ctest")
  foreach(name config duration redact_dsn probe request)
    add_test(NAME fuzz_${name}
             COMMAND bash ${PROJECT_SOURCE_DIR}/fuzz/run.sh ${CMAKE_BINARY_DIR}/fuzz/fuzz_${name} ${name}
                     ${PGCONN_FUZZ_SECONDS})
    set_tests_properties(fuzz_${name} PROPERTIES LABELS fuzz TIMEOUT 300)
  endforeach()
endif()

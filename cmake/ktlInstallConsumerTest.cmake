# Script run by the CTest test `install_consumer` (cmake -P):
#   1. cmake --install the current build into KTL_PREFIX (a fresh directory),
#   2. configure tests/install (find_package(ktl REQUIRED)) against that prefix only,
#   3. build it and run the resulting binary.
# Inputs (-D): KTL_BINARY_DIR KTL_CONSUMER_SOURCE_DIR KTL_CONSUMER_BINARY_DIR KTL_PREFIX
#              KTL_GENERATOR KTL_CXX_COMPILER KTL_BUILD_TYPE KTL_CXX_FLAGS KTL_CXX_FLAGS_CONFIG
cmake_minimum_required(VERSION 3.25)

foreach(_var KTL_BINARY_DIR KTL_CONSUMER_SOURCE_DIR KTL_CONSUMER_BINARY_DIR KTL_PREFIX)
  if(NOT DEFINED ${_var} OR "${${_var}}" STREQUAL "")
    message(FATAL_ERROR "install_consumer: ${_var} not set")
  endif()
endforeach()

function(_run step)
  message(STATUS "install_consumer: ${step}: ${ARGN}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "install_consumer: ${step} failed (${_rc})")
  endif()
endfunction()

file(REMOVE_RECURSE "${KTL_PREFIX}" "${KTL_CONSUMER_BINARY_DIR}")

_run(install "${CMAKE_COMMAND}" --install "${KTL_BINARY_DIR}" --prefix "${KTL_PREFIX}")

file(GLOB_RECURSE _cfg "${KTL_PREFIX}/*/ktlConfig.cmake")
if(NOT _cfg)
  message(FATAL_ERROR "install_consumer: no ktlConfig.cmake under ${KTL_PREFIX}")
endif()

string(TOUPPER "${KTL_BUILD_TYPE}" _bt)
set(_configure "${CMAKE_COMMAND}" -S "${KTL_CONSUMER_SOURCE_DIR}" -B "${KTL_CONSUMER_BINARY_DIR}"
  "-DCMAKE_PREFIX_PATH=${KTL_PREFIX}"
  "-DKTL_EXPECTED_PREFIX=${KTL_PREFIX}")
if(KTL_GENERATOR)
  list(APPEND _configure -G "${KTL_GENERATOR}")
endif()
if(KTL_CXX_COMPILER)
  list(APPEND _configure "-DCMAKE_CXX_COMPILER=${KTL_CXX_COMPILER}")
endif()
if(KTL_BUILD_TYPE)
  list(APPEND _configure "-DCMAKE_BUILD_TYPE=${KTL_BUILD_TYPE}"
                         "-DCMAKE_CXX_FLAGS_${_bt}=${KTL_CXX_FLAGS_CONFIG}")
endif()
list(APPEND _configure "-DCMAKE_CXX_FLAGS=${KTL_CXX_FLAGS}")

_run(configure ${_configure})
_run(build "${CMAKE_COMMAND}" --build "${KTL_CONSUMER_BINARY_DIR}")
_run(run "${KTL_CONSUMER_BINARY_DIR}/ktl_consumer")
message(STATUS "install_consumer: OK")

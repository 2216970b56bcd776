# Helpers shared by the top-level CMakeLists.txt and the tests/bench/apps/examples subdirectories.
include_guard(GLOBAL)

# Project-wide settings that depend on cache options (call once, after the options are declared).
function(ktl_apply_global_options)
  if(KTL_CLANG_TSA)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
      message(FATAL_ERROR "KTL_CLANG_TSA=ON needs clang++ (got ${CMAKE_CXX_COMPILER_ID}); "
                          "use the clang-tsa preset")
    endif()
    # Global on purpose: the annotations live in public headers, so every translation unit that
    # includes them (tests, apps, examples, bench, check_headers) is checked too.
    add_compile_options(-Wthread-safety -Werror=thread-safety)
  endif()
  if(NOT KTL_SANITIZER STREQUAL "" AND NOT KTL_SANITIZER MATCHES "^(address|thread)$")
    message(FATAL_ERROR "KTL_SANITIZER must be empty, 'address' or 'thread' (got '${KTL_SANITIZER}')")
  endif()
endfunction()

# -Wall -Wextra (and -Werror when KTL_WERROR) on one of ktl's own targets.
function(ktl_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(KTL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Sanitizer instrumentation as PUBLIC usage requirements of `target` (the ktl library), so that
# every consumer is compiled and linked the same way and sees the same KTL_ASAN / KTL_TSAN.
function(ktl_target_sanitizers target)
  if(KTL_SANITIZER STREQUAL "address")
    set(_flags -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_compile_options(${target} PUBLIC ${_flags})
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
    target_compile_definitions(${target} PUBLIC KTL_ASAN=1)
  elseif(KTL_SANITIZER STREQUAL "thread")
    target_compile_options(${target} PUBLIC -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(${target} PUBLIC -fsanitize=thread)
    target_compile_definitions(${target} PUBLIC KTL_TSAN=1)
  endif()
endfunction()

# file(GLOB / GLOB_RECURSE CONFIGURE_DEPENDS <patterns...>), sorted, into `out`.
function(ktl_glob out)
  file(GLOB _files CONFIGURE_DEPENDS ${ARGN})
  list(SORT _files)
  set(${out} "${_files}" PARENT_SCOPE)
endfunction()

function(ktl_glob_recurse out)
  file(GLOB_RECURSE _files CONFIGURE_DEPENDS ${ARGN})
  list(SORT _files)
  set(${out} "${_files}" PARENT_SCOPE)
endfunction()

function(ktl_print_summary)
  string(TOUPPER "${CMAKE_BUILD_TYPE}" _bt)
  message(STATUS "ktl ${PROJECT_VERSION}: ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}, "
                 "${CMAKE_BUILD_TYPE} [${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${_bt}}]")
  message(STATUS "ktl: sanitizer='${KTL_SANITIZER}' clang-tsa=${KTL_CLANG_TSA} werror=${KTL_WERROR} "
                 "tests=${KTL_BUILD_TESTS} bench=${KTL_BUILD_BENCH} apps=${KTL_BUILD_APPS} "
                 "examples=${KTL_BUILD_EXAMPLES}")
endfunction()

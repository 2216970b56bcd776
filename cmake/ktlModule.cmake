# ktl_add_module(<target> [MODNAME <name>] [OUTPUT_DIRECTORY <dir>] SOURCES <file.c>...)
#
# Builds kernel-style C (or C++) sources into a loadable module <dir>/<name>.ko (a shared
# object), the way Kbuild builds a .ko: __KERNEL__, MODULE and KBUILD_MODNAME="<name>" are
# defined (name: MODNAME, else the target name, '-' -> '_'), the compat headers are the only
# headers (-nostdinc: libc stays out of module code), and compat/module/mod.c adds the
# module's struct module. Symbols are hidden and bound inside the module (-Bsymbolic), so
# modules with clashing global names load side by side. The shell equivalent is
# compat/ktl-modbuild.
set(KTL_COMPAT_DIR "${CMAKE_CURRENT_LIST_DIR}/../compat")
get_filename_component(KTL_COMPAT_DIR "${KTL_COMPAT_DIR}" ABSOLUTE)
set(KTL_COMPAT_DIR "${KTL_COMPAT_DIR}" CACHE INTERNAL "compat/ of the ktl source tree")

execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
  OUTPUT_VARIABLE _ktl_builtin OUTPUT_STRIP_TRAILING_WHITESPACE)
set(KTL_CC_BUILTIN_INCLUDE "${_ktl_builtin}" CACHE INTERNAL "the C compiler's own headers")

function(ktl_add_module target)
  cmake_parse_arguments(M "" "MODNAME;OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  if(NOT M_MODNAME)
    set(M_MODNAME "${target}")
  endif()
  string(REPLACE "-" "_" _modname "${M_MODNAME}")
  add_library(${target} MODULE ${M_SOURCES} "${KTL_COMPAT_DIR}/module/mod.c")
  set_target_properties(${target} PROPERTIES
    PREFIX "" SUFFIX ".ko" OUTPUT_NAME "${M_MODNAME}"
    C_STANDARD 11 C_EXTENSIONS ON
    C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  if(M_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${M_OUTPUT_DIRECTORY}")
  endif()
  target_compile_definitions(${target} PRIVATE __KERNEL__ MODULE "KBUILD_MODNAME=\"${_modname}\"")
  target_compile_options(${target} PRIVATE
    -nostdinc -isystem "${KTL_CC_BUILTIN_INCLUDE}" -I "${KTL_COMPAT_DIR}/include"
    -fno-strict-aliasing -fno-common -Wall -Wno-unused-function
    $<$<COMPILE_LANGUAGE:C>:-Werror=implicit-function-declaration -Werror=return-type>)
  target_link_options(${target} PRIVATE "LINKER:-Bsymbolic" "LINKER:--no-undefined-version")
  # Same sanitizer instrumentation as the kernel that loads it.
  if(KTL_SANITIZER STREQUAL "address")
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  elseif(KTL_SANITIZER STREQUAL "thread")
    target_compile_options(${target} PRIVATE -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=thread)
  endif()
endfunction()

# ktl_add_kernel_objects(<target> MODNAME <name> SOURCES <file.c>...)
#
# Kernel-style C compiled as built-in code (no MODULE: THIS_MODULE is NULL) into an OBJECT
# library, with the compat headers only and the same sanitizer as the rest of the build. Link
# $<TARGET_OBJECTS:<target>> into a program that also links ktl::compat whole.
function(ktl_add_kernel_objects target)
  cmake_parse_arguments(K "" "MODNAME" "SOURCES" ${ARGN})
  add_library(${target} OBJECT ${K_SOURCES})
  set_target_properties(${target} PROPERTIES C_STANDARD 11 C_EXTENSIONS ON)
  target_compile_definitions(${target} PRIVATE __KERNEL__ "KBUILD_MODNAME=\"${K_MODNAME}\"")
  target_compile_options(${target} PRIVATE
    -nostdinc -isystem "${KTL_CC_BUILTIN_INCLUDE}" -I "${KTL_COMPAT_DIR}/include"
    -fno-strict-aliasing -Wall -Wno-unused-function -Werror=implicit-function-declaration)
  if(KTL_SANITIZER STREQUAL "address")
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
  elseif(KTL_SANITIZER STREQUAL "thread")
    target_compile_options(${target} PRIVATE -fsanitize=thread -fno-omit-frame-pointer)
  endif()
endfunction()

# bpf_object(NAME SOURCE): compile an eBPF C source with clang and generate a
# libbpf skeleton header NAME.skel.h; creates the INTERFACE target NAME_skel
# whose include directory holds the header. The skeleton embeds the ELF, so
# the program and the binary that loads it cannot drift apart.
find_program(BPF_CLANG NAMES clang-14 clang REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)

execute_process(COMMAND uname -m OUTPUT_VARIABLE _xacct_arch OUTPUT_STRIP_TRAILING_WHITESPACE)
if(_xacct_arch STREQUAL "x86_64")
  set(_xacct_bpf_arch x86)
  set(_xacct_multiarch /usr/include/x86_64-linux-gnu)
elseif(_xacct_arch STREQUAL "aarch64")
  set(_xacct_bpf_arch arm64)
  set(_xacct_multiarch /usr/include/aarch64-linux-gnu)
else()
  set(_xacct_bpf_arch ${_xacct_arch})
  set(_xacct_multiarch /usr/include/${_xacct_arch}-linux-gnu)
endif()

function(bpf_object name src)
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o)
  set(skel ${CMAKE_CURRENT_BINARY_DIR}/${name}.skel.h)
  set(srcpath ${CMAKE_CURRENT_SOURCE_DIR}/${src})
  file(GLOB _bpf_headers ${PROJECT_SOURCE_DIR}/bpf/*.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${BPF_CLANG} -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_${_xacct_bpf_arch}
            -Wall -Werror -I${PROJECT_SOURCE_DIR} -I${_xacct_multiarch}
            -c ${srcpath} -o ${obj}
    DEPENDS ${srcpath} ${_bpf_headers}
    COMMENT "BPF ${name}")
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name} > ${skel}
    DEPENDS ${obj}
    COMMENT "skeleton ${name}")
  add_custom_target(${name}_skelgen DEPENDS ${skel})
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_skelgen)
  # SYSTEM: the generated header embeds the ELF as one long string literal,
  # which -Wpedantic (-Woverlength-strings) rejects in C++.
  target_include_directories(${name}_skel SYSTEM INTERFACE ${CMAKE_CURRENT_BINARY_DIR})
  target_link_libraries(${name}_skel INTERFACE PkgConfig::LIBBPF)
endfunction()

# Fuzz target of the frames between ebidd's network and key processes
# (protocol/keyframe.c; engine/server/keyproc.c).  The committed corpus is
# replayed by CTest (keyframe_fuzzer_corpus); tests/fuzz/keyframe_seeds.py
# wrote it.
eb_fuzzer(NAME keyframe_fuzzer SOURCE tests/fuzz/keyframe_fuzzer.c
  LIBS eb_base CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/keyframe_corpus)

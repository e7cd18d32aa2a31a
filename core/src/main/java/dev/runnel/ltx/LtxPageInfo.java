package dev.runnel.ltx;

/**
 * One page frame as found by {@link LtxDecoder#verify}.
 *
 * @param pgno page number
 * @param frameOffset absolute file offset of the frame's 6-byte page header
 * @param frameSize whole frame in bytes (what the page index records)
 * @param compressedSize LZ4 payload bytes: the block length N (current encoding) or the LZ4 frame
 *     length (legacy encoding)
 * @param encoding page encoding of this frame
 * @param pageChecksum {@link DatabaseChecksum#pageChecksum} of the decompressed page
 */
public record LtxPageInfo(
    int pgno, long frameOffset, int frameSize, int compressedSize, PageEncoding encoding, long pageChecksum) {}

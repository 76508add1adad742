package replay

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
)

// cities are the seed design's Locations; the spaces matter (they are %20 in URLs).
var cities = []string{"New York", "San Diego", "Chicago", "Los Angeles", "Seattle", "Austin", "Boston", "Denver", "Miami", "San Francisco"}

// GenerateSeed writes n records shaped like the weather-stats design's, as JSON Lines, for
// benchmarks: INSERT 40%, MODIFY 40%, REMOVE 20%, one
// record in ten without a TTL, one second apart. The same seed gives the same file.
func GenerateSeed(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	rng := rand.New(rand.NewPCG(seed, seed))
	const arn = "arn:aws:dynamodb:us-east-1:000000000000:table/weather-stats-demo/stream/2024-07-30T17:20:48.118"
	var b []byte
	for i := range n {
		city := cities[rng.IntN(len(cities))] + " " + strconv.Itoa(rng.IntN(1000))
		name := "INSERT"
		switch r := rng.IntN(10); {
		case r >= 8:
			name = "REMOVE"
		case r >= 4:
			name = "MODIFY"
		}
		b = appendRecord(b[:0], i, name, city, rng, arn)
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func appendRecord(b []byte, i int, name, city string, rng *rand.Rand, arn string) []byte {
	b = fmt.Appendf(b, `{"eventID":"%032x","eventName":"%s","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",`, i, name)
	b = fmt.Appendf(b, `"dynamodb":{"ApproximateCreationDateTime":%d,"Keys":{"Location":{"S":"%s"}},`, 1722360292+i, city)
	img := func(b []byte) []byte {
		b = fmt.Appendf(b, `{"ChancesOfPrecipitation":{"N":"%d"},"Location":{"S":"%s"},"MaxTemp":{"N":"%d"},"MinTemp":{"N":"%d"}`,
			rng.IntN(100), city, 60+rng.IntN(40), 20+rng.IntN(40))
		if rng.IntN(10) > 0 {
			b = fmt.Appendf(b, `,"TTL":{"N":"%d"}`, 300+rng.IntN(3600))
		}
		return append(b, '}')
	}
	if name != "REMOVE" {
		b = img(append(b, `"NewImage":`...))
		b = append(b, ',')
	}
	if name != "INSERT" {
		b = img(append(b, `"OldImage":`...))
		b = append(b, ',')
	}
	b = fmt.Appendf(b, `"SequenceNumber":"%021d","SizeBytes":%d,"StreamViewType":"NEW_AND_OLD_IMAGES"},"eventSourceARN":"%s"}`+"\n", 100+i, 60+rng.IntN(60), arn)
	return b
}
